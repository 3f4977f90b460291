using LayerLens.Analyzer.Reports.Schema;

namespace LayerLens.Analyzer.UseCases.Baselines;

/// <summary>
/// The deltas of two image reports. Layers are matched by their instruction (history <c>createdBy</c>, whitespace
/// collapsed, each mapped to a number once) in order — the longest common subsequence, so an inserted or removed step does not shift the pairs after
/// it — then by position where as many steps changed on both sides; a layer without a partner is new (before 0 bytes)
/// or gone (after 0 bytes). Waste items match by path and kind.
/// </summary>
public static class ImageDeltas
{
    /// <summary>Above this many layer pairs (hostile reports), layers are matched by position only.</summary>
    private const long MaxLcsCells = 4_000_000;

    public static ImageDelta Compute(ImageReport before, ImageReport after) => Compute(before, after, StringComparer.Ordinal);

    /// <summary>With the comparer layer instructions are compared by (tests count its calls: the work done).</summary>
    internal static ImageDelta Compute(ImageReport before, ImageReport after, IEqualityComparer<string> instructions)
    {
        var layers = MatchLayers(before.Layers, after.Layers, instructions);
        var largest = layers.Where(l => l.Growth > 0).OrderByDescending(l => l.Growth).ThenBy(l => l.AfterIndex).FirstOrDefault();
        var beforeWaste = before.Waste.Select(Key).ToHashSet();
        var afterWaste = after.Waste.Select(Key).ToHashSet();
        return new ImageDelta(
            CountDelta.Of(before.Image.SizeBytes, after.Image.SizeBytes),
            CountDelta.Of(before.Image.CompressedSizeBytes, after.Image.CompressedSizeBytes),
            CountDelta.Of(before.Efficiency.WastedBytes, after.Efficiency.WastedBytes),
            RatioDelta.Of(before.Efficiency.Score, after.Efficiency.Score),
            CountDelta.Of(before.Image.FileCount, after.Image.FileCount),
            largest,
            layers,
            [.. after.Waste.Where(w => !beforeWaste.Contains(Key(w)))],
            [.. before.Waste.Where(w => !afterWaste.Contains(Key(w)))]);
    }

    private static (string Path, string Kind) Key(ReportWaste w) => (w.Path, w.Kind.ToString());

    private static List<LayerDelta> MatchLayers(IReadOnlyList<ReportLayer> before, IReadOnlyList<ReportLayer> after, IEqualityComparer<string> instructions)
    {
        var pairs = (long)before.Count * after.Count <= MaxLcsCells ? SequenceAlignment.Lcs([.. before.Select(l => Normalise(l.CreatedBy))], [.. after.Select(l => Normalise(l.CreatedBy))], instructions, MaxLcsCells) : Positional(before.Count, after.Count);
        var result = new List<LayerDelta>(Math.Max(before.Count, after.Count));
        int b = 0, a = 0;
        foreach (var (pb, pa) in pairs.Append((before.Count, after.Count)))
        {
            // Unmatched layers between two matched pairs: as many on both sides are the same steps changed, paired
            // by position; otherwise the baseline's are gone and the current's new.
            if (pb - b == pa - a)
            {
                for (; b < pb; b++, a++)
                {
                    result.Add(new LayerDelta(before[b].Index, after[a].Index, after[a].CreatedBy, before[b].SizeBytes, after[a].SizeBytes,
                        after[a].SizeBytes - before[b].SizeBytes));
                }
            }
            for (; b < pb; b++)
            {
                result.Add(new LayerDelta(before[b].Index, null, before[b].CreatedBy, before[b].SizeBytes, 0, -before[b].SizeBytes));
            }
            for (; a < pa; a++)
            {
                result.Add(new LayerDelta(null, after[a].Index, after[a].CreatedBy, 0, after[a].SizeBytes, after[a].SizeBytes));
            }
            if (pb < before.Count && pa < after.Count)
            {
                result.Add(new LayerDelta(before[pb].Index, after[pa].Index, after[pa].CreatedBy, before[pb].SizeBytes, after[pa].SizeBytes,
                    after[pa].SizeBytes - before[pb].SizeBytes));
                b = pb + 1;
                a = pa + 1;
            }
        }
        return result;
    }

    private static List<(int Before, int After)> Positional(int before, int after) =>
        [.. Enumerable.Range(0, Math.Min(before, after)).Select(i => (i, i))];

    private static string Normalise(string? createdBy) =>
        string.Join(' ', (createdBy ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
