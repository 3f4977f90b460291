namespace LayerLens.Analyzer.UseCases.Baselines;

/// <summary>
/// The longest common subsequence of two sequences of texts, the texts first mapped to integers through one dictionary:
/// each text is hashed and compared a constant number of times, never once per table cell (hostile reports carry
/// thousands of 8 KB instructions). Above <paramref name="maxCells"/> table cells nothing is matched by content.
/// </summary>
internal static class SequenceAlignment
{
    /// <summary>The pairs (index in <paramref name="before"/>, index in <paramref name="after"/>) of equal texts, in order.</summary>
    public static List<(int Before, int After)> Lcs(
        IReadOnlyList<string> before, IReadOnlyList<string> after, IEqualityComparer<string> comparer, long maxCells)
    {
        if ((long)before.Count * after.Count > maxCells)
        {
            return [];
        }
        var ids = new Dictionary<string, int>(comparer);
        var x = Ids(before, ids);
        var y = Ids(after, ids);
        var length = new int[x.Length + 1, y.Length + 1];
        for (var i = x.Length - 1; i >= 0; i--)
        {
            for (var j = y.Length - 1; j >= 0; j--)
            {
                length[i, j] = x[i] == y[j] ? length[i + 1, j + 1] + 1 : Math.Max(length[i + 1, j], length[i, j + 1]);
            }
        }
        var pairs = new List<(int, int)>();
        int p = 0, q = 0;
        while (p < x.Length && q < y.Length)
        {
            if (x[p] == y[q])
            {
                pairs.Add((p++, q++));
            }
            else if (length[p + 1, q] >= length[p, q + 1])
            {
                p++;
            }
            else
            {
                q++;
            }
        }
        return pairs;
    }

    /// <summary>
    /// The LCS pairs plus, between two of them, the unmatched items paired by position when as many are on both sides
    /// (the same steps edited in place); gaps of different sizes pair nothing.
    /// </summary>
    public static List<(int Before, int After)> Align(
        IReadOnlyList<string> before, IReadOnlyList<string> after, IEqualityComparer<string> comparer, long maxCells)
    {
        var result = new List<(int, int)>();
        int b = 0, a = 0;
        foreach (var (pb, pa) in Lcs(before, after, comparer, maxCells).Append((before.Count, after.Count)))
        {
            if (pb - b == pa - a)
            {
                for (; b < pb; b++, a++)
                {
                    result.Add((b, a));
                }
            }
            if (pb < before.Count && pa < after.Count)
            {
                result.Add((pb, pa));
            }
            b = pb + 1;
            a = pa + 1;
        }
        return result;
    }

    private static int[] Ids(IReadOnlyList<string> texts, Dictionary<string, int> ids)
    {
        var result = new int[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            if (!ids.TryGetValue(texts[i], out var id))
            {
                id = ids.Count;
                ids[texts[i]] = id;
            }
            result[i] = id;
        }
        return result;
    }
}
