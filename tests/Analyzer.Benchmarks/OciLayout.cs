using System.Text.Json;

namespace LayerLens.Analyzer.Benchmarks;

/// <summary>Just enough of an OCI layout to find the layer blobs of its single image.</summary>
internal static class OciLayout
{
    public static IReadOnlyList<string> LayerBlobPaths(string layout)
    {
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")));
        var manifestDigest = index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(BlobPath(layout, manifestDigest)));
        return manifest.RootElement.GetProperty("layers").EnumerateArray()
            .Select(layer => BlobPath(layout, layer.GetProperty("digest").GetString()!))
            .ToList();
    }

    public static string BlobPath(string layout, string digest)
    {
        var parts = digest.Split(':', 2);
        return Path.Combine(layout, "blobs", parts[0], parts[1]);
    }
}
