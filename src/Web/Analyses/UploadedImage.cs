using LayerLens.Analyzer.Images;
using LayerLens.Data.Blobs;
using LayerLens.Data.Model;

namespace LayerLens.Web.Analyses;

/// <summary>
/// An uploaded image archive as the engine opens it: the stored blob, its kind read from its contents, and the
/// image chosen inside it (docker-archive NAME or @INDEX, an OCI archive's tag) as <c>layerlens analyze</c> takes it.
/// </summary>
public static class UploadedImage
{
    public const int MaxChoiceLength = 512;

    public static ImageSourceSpec Source(BlobStore blobs, string digest, string? choice) =>
        ImageSourceSpec.DetectedArchive(blobs.PathOf(digest), string.IsNullOrWhiteSpace(choice) ? null : choice.Trim(), blobs.PathOf(digest));

    /// <summary>An engine message with the server's blob path replaced by the name the user knows the upload by.</summary>
    public static string HidePath(string message, string digest, string displayName)
    {
        var hex = digest["sha256:".Length..];
        var path = Path.Combine("blobs", "sha256", hex[..2], hex);
        var at = message.IndexOf(path, StringComparison.Ordinal);
        if (at < 0)
        {
            return message;
        }
        var start = message.LastIndexOf(' ', at) + 1;
        return message[..start] + displayName + message[(at + path.Length)..];
    }

    /// <summary>
    /// Opens the archive's manifest (no layer is read) to check that the chosen image is in it, so a wrong choice
    /// is refused at once with the engine's own message listing every image and its tags.
    /// </summary>
    public static async Task CheckChoiceAsync(BlobStore blobs, Analysis analysis, CancellationToken ct)
    {
        if (analysis.ArchiveImage is null || analysis.InputDigest is not { } digest)
        {
            return;
        }
        try
        {
            using var image = await ImageOpener.OpenAsync(Source(blobs, digest, analysis.ArchiveImage), new ImageOpenOptions(), ct);
        }
        catch (Exception ex) when (ex is InvalidImageException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new IntakeException(HidePath(ex.Message, digest, analysis.DisplayName));
        }
    }
}
