using System.Text.Json;

namespace LayerLens.TestInfrastructure.Tests.Images;

/// <summary>Follows an OCI layout by the spec: index.json → (nested index →) manifest → blobs.</summary>
internal static class OciLayoutReader
{
    public const string IndexMediaType = "application/vnd.oci.image.index.v1+json";

    public static string BlobPath(string layout, string digest)
    {
        var parts = digest.Split(':', 2);
        return Path.Combine(layout, "blobs", parts[0], parts[1]);
    }

    public static JsonElement ReadBlob(string layout, string digest)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(BlobPath(layout, digest)));
        return document.RootElement.Clone();
    }

    /// <summary>The top-level object index.json points at (a manifest or a nested index).</summary>
    public static JsonElement ReadTop(string layout)
    {
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")));
        var descriptor = Assert.Single(index.RootElement.GetProperty("manifests").EnumerateArray());
        return ReadBlob(layout, descriptor.GetProperty("digest").GetString()!);
    }

    /// <summary>Layer descriptors of a single-platform layout.</summary>
    public static IReadOnlyList<JsonElement> Layers(JsonElement manifest) =>
        [.. manifest.GetProperty("layers").EnumerateArray()];
}
