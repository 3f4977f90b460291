using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Images;

/// <summary>
/// Picks one manifest of an index: the requested platform, else linux/amd64, else the only one.
/// Attestation entries (unknown/unknown) are never candidates.
/// </summary>
public static class PlatformSelector
{
    public static Descriptor Select(IReadOnlyList<Descriptor> manifests, Platform? requested, string where)
    {
        var candidates = manifests
            .Where(m => !(m.Platform?.Os == "unknown" && m.Platform?.Architecture == "unknown"))
            .ToList();
        if (candidates.Count == 0)
        {
            throw new InvalidImageException($"{where}: the index lists no image manifests");
        }

        if (requested is { } want)
        {
            var match = candidates.FirstOrDefault(m => Platform.From(m.Platform) is { } p && want.Accepts(p));
            return match ?? throw new InvalidImageException(
                $"{where}: no manifest for platform {want}; available: {Describe(candidates)}");
        }

        if (candidates.Count == 1)
        {
            return candidates[0];
        }

        var amd64 = candidates.Where(m => Platform.From(m.Platform) is { } p && Platform.DefaultLinuxAmd64.Accepts(p)).ToList();
        if (amd64.Count == 1)
        {
            return amd64[0];
        }

        throw new InvalidImageException(
            $"{where}: several platforms and none chosen; pass --platform with one of: {Describe(candidates)}");
    }

    private static string Describe(IEnumerable<Descriptor> manifests) =>
        string.Join(", ", manifests.Select(m => Platform.From(m.Platform)?.ToString() ?? $"(no platform, {m.Digest})"));
}
