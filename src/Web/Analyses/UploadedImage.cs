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

    /// <summary>The values of 'archiveKind': the source prefix the user gave (docker-archive:, oci-archive: or oci:DIR).</summary>
    public const string DockerKind = "docker";
    public const string OciKind = "oci";

    /// <summary>
    /// The upload as analyze opens it: with a kind, read as that kind (a Docker 25+ archive holds both manifest.json
    /// with RepoTags and index.json with ref.name annotations, and the choice means a different thing in each);
    /// without one, the kind is detected from the contents.
    /// </summary>
    public static ImageSourceSpec Source(BlobStore blobs, string digest, string? kind, string? choice) =>
        Source(blobs.PathOf(digest), kind, choice);

    /// <summary>The archive at <paramref name="path"/> (a blob staged from the store) as analyze opens it.</summary>
    public static ImageSourceSpec Source(string path, string? kind, string? choice)
    {
        var image = string.IsNullOrWhiteSpace(choice) ? null : choice.Trim();
        return kind switch
        {
            DockerKind => new ImageSourceSpec(ImageSourceKind.DockerArchive, path, image, path),
            OciKind => new ImageSourceSpec(ImageSourceKind.OciArchive, path, image, path),
            _ => ImageSourceSpec.DetectedArchive(path, image, path),
        };
    }

    /// <summary>The 'archiveKind' the client sent, checked: "docker", "oci", or none (detect from the contents).</summary>
    public static string? ParseKind(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        return text.Trim() switch
        {
            DockerKind => DockerKind,
            OciKind => OciKind,
            _ => throw new IntakeException($"'archiveKind' must be '{DockerKind}' (docker-archive) or '{OciKind}' (oci-archive, OCI layout); got '{(text.Length > 40 ? text[..40] : text)}'"),
        };
    }

    /// <summary>
    /// An engine message with the server's blob path replaced, wherever it occurs, by the name the user knows the
    /// upload by. The whole path is matched, so a data directory with spaces in it leaks no part of itself.
    /// </summary>
    public static string HidePath(string message, string blobPath, string displayName) =>
        message.Replace(blobPath, displayName, StringComparison.Ordinal);

    /// <summary>
    /// Opens the archive's manifest (no layer is read) to check that the chosen image is in it and the archive is of
    /// the kind named, so a wrong choice is refused at once with the engine's own message listing every image and its tags.
    /// </summary>
    public static async Task CheckChoiceAsync(LayerLens.Web.Storage.IArtifactStore store, Guid workspaceId, Analysis analysis, CancellationToken ct)
    {
        if (analysis.ArchiveImage is null && analysis.ArchiveKind is null || analysis.InputDigest is not { } digest)
        {
            return;
        }
        using var staged = await store.StageBlobAsync(workspaceId, digest, ct);
        try
        {
            using var image = await ImageOpener.OpenAsync(Source(staged.Path, analysis.ArchiveKind, analysis.ArchiveImage), new ImageOpenOptions(), ct);
        }
        // A hostile archive can make a reader fail in any way (IOException, ArgumentException, ...): it is the
        // upload's fault, so a 400 with the message, never a 500; only the caller giving up is not.
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new IntakeException(HidePath(ex.Message, staged.Path, analysis.DisplayName));
        }
    }
}
