using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.Rebuild;

/// <summary>
/// <c>--base REF|SOURCE</c>: keep exactly the layers of that image. Its layers must be the source's first
/// layers (same diff id, or the same digest when a diff id is unknown); the base is opened like any
/// <c>analyze</c> source and only its manifest and config are read. Everything above is rewritten, even
/// layers the default rule would have kept. Dead bytes the base ships stay (they are the base's) and are
/// reported.
/// </summary>
public static class BaseLayers
{
    /// <summary>How many layers the base has; refuses (before anything is analysed) when they are not the source's first layers.</summary>
    public static async Task<int> CountAsync(ImageSourceSpec baseSource, ImageOpenOptions options, ResolvedImage image, CancellationToken cancellationToken)
    {
        using var baseImage = await ImageOpener.OpenAsync(baseSource, options, cancellationToken);
        var name = baseSource.Original;
        if (baseImage.Layers.Count > image.Layers.Count)
        {
            throw new RebuildRefusedException($"--base {name} has {baseImage.Layers.Count} layers, the source only {image.Layers.Count}: it is not the source's base");
        }
        for (var i = 0; i < baseImage.Layers.Count; i++)
        {
            var b = baseImage.Layers[i];
            var s = image.Layers[i];
            var same = b.DiffId is not null && s.DiffId is not null ? b.DiffId == s.DiffId : b.Digest is not null && b.Digest == s.Digest;
            if (!same)
            {
                throw new RebuildRefusedException($"--base {name} is not the source's base: layer {i} differs "
                    + $"(source {s.DiffId ?? s.Digest}, base {b.DiffId ?? b.Digest})");
            }
        }
        return baseImage.Layers.Count;
    }

    /// <summary>Why the base layers were kept, and what they ship that later layers hide.</summary>
    public static void Explain(string name, int kept, ImageAnalysis analysis, List<string> reasons)
    {
        for (var i = 0; i < kept; i++)
        {
            reasons.Add($"layer {i} kept ({analysis.Layers[i].Digest}): layer of base {name}");
        }
        var dead = analysis.Waste.Where(w => w.LayerIndex < kept && w.Kind is WasteKind.Overwritten or WasteKind.MetadataOnly or WasteKind.Deleted).Sum(w => w.Bytes);
        if (dead > 0)
        {
            reasons.Add($"the base layers ship {dead:N0} bytes later layers made dead: they stay, the base is kept as it is");
        }
        if (kept < analysis.Layers.Count)
        {
            reasons.Add($"layer {kept} and above rewritten: above base {name}");
        }
    }
}
