using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.Rebuild;

/// <summary>A run of neighbouring source layers written as one new layer.</summary>
public sealed record LayerGroup(int First, int Last)
{
    public bool Contains(int layer) => layer >= First && layer <= Last;
}

/// <summary>
/// Which source layers stay byte-identical and how the rest is grouped. Kept: the longest prefix of layers
/// that ship no byte a later layer made dead (overwritten, metadata-only copy, deleted), as the analysis
/// found them — a host that already pulled them reuses them. Rewritten: one new layer per remaining source
/// layer by default; <c>--layers N</c> merges the neighbouring pair with the fewest bytes until N remain;
/// <c>--squash</c> keeps nothing and writes one layer.
/// </summary>
public sealed class RebuildPlan
{
    public required int KeptCount { get; init; }
    public required IReadOnlyList<string> KeptReasons { get; init; }
    public required IReadOnlyList<LayerGroup> Groups { get; init; }

    public static int KeptPrefix(ImageAnalysis analysis, bool squash, List<string> reasons)
    {
        var count = analysis.Layers.Count;
        if (squash)
        {
            reasons.Add("--squash: no layer kept, everything written into one layer");
            return 0;
        }
        var dead = analysis.Waste
            .Where(w => w.Kind is WasteKind.Overwritten or WasteKind.MetadataOnly or WasteKind.Deleted && w.Bytes > 0)
            .OrderBy(w => w.LayerIndex).ThenByDescending(w => w.Bytes)
            .FirstOrDefault();
        var kept = dead?.LayerIndex ?? count;
        for (var i = 0; i < kept; i++)
        {
            reasons.Add($"layer {i} kept ({analysis.Layers[i].Digest}): ships no bytes a later layer made dead");
        }
        if (dead is not null)
        {
            reasons.Add($"layer {kept} and above rewritten: layer {kept} ships dead bytes (e.g. {dead.Bytes:N0} bytes at /{dead.Path}, {dead.Kind} by layer {dead.CauseLayerIndex})");
        }
        return kept;
    }

    /// <summary>Groups source layers kept..count-1; <paramref name="bytes"/>[i] is what layer i provides to the final view.</summary>
    public static List<LayerGroup> Group(int kept, int count, IReadOnlyList<long> bytes, int? maxLayers)
    {
        var groups = new List<LayerGroup>();
        for (var i = kept; i < count; i++)
        {
            groups.Add(new LayerGroup(i, i));
        }
        long Size(LayerGroup g)
        {
            long s = 0;
            for (var i = g.First; i <= g.Last; i++)
            {
                s += bytes[i];
            }
            return s;
        }
        var cap = Math.Max(1, maxLayers ?? int.MaxValue);
        while (groups.Count > cap)
        {
            var best = 0;
            for (var i = 1; i < groups.Count - 1; i++)
            {
                if (Size(groups[i]) + Size(groups[i + 1]) < Size(groups[best]) + Size(groups[best + 1]))
                {
                    best = i;
                }
            }
            groups[best] = new LayerGroup(groups[best].First, groups[best + 1].Last);
            groups.RemoveAt(best + 1);
        }
        return groups;
    }
}
