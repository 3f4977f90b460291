namespace LayerLens.Web.Reviews;

/// <summary>How a row of the side-by-side diff relates the two files.</summary>
public enum DiffRowKind
{
    Same,
    Removed,
    Added,
    Changed,
}

/// <summary>One row: a line of the original on the left, of the recommendation on the right (either may be absent).</summary>
public sealed record DiffRow(DiffRowKind Kind, int? LeftLine, string? Left, int? RightLine, string? Right);

/// <summary>
/// Lines of two files aligned by their longest common subsequence; runs of removed and added lines between
/// two common lines are paired into "changed" rows. Dockerfiles are small; past a size bound the files are
/// shown as one replaced block rather than spending quadratic time.
/// </summary>
public static class SideBySideDiff
{
    private const long MaxCells = 4_000_000;

    public static IReadOnlyList<DiffRow> Build(string original, string recommended)
    {
        var a = Lines(original);
        var b = Lines(recommended);
        var rows = new List<DiffRow>(Math.Max(a.Length, b.Length));
        if ((long)a.Length * b.Length > MaxCells)
        {
            Pair(rows, a, 0, a.Length, b, 0, b.Length);
            return rows;
        }
        // lcs[i, j] = length of the LCS of a[i..] and b[j..].
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }
        int x = 0, y = 0, runA = 0, runB = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y])
            {
                Pair(rows, a, runA, x, b, runB, y);
                rows.Add(new DiffRow(DiffRowKind.Same, x + 1, a[x], y + 1, b[y]));
                x++;
                y++;
                runA = x;
                runB = y;
            }
            else if (lcs[x + 1, y] >= lcs[x, y + 1])
            {
                x++;
            }
            else
            {
                y++;
            }
        }
        Pair(rows, a, runA, a.Length, b, runB, b.Length);
        return rows;
    }

    /// <summary>Removed lines a[fromA..toA) beside added lines b[fromB..toB).</summary>
    private static void Pair(List<DiffRow> rows, string[] a, int fromA, int toA, string[] b, int fromB, int toB)
    {
        var removed = toA - fromA;
        var added = toB - fromB;
        for (var k = 0; k < Math.Max(removed, added); k++)
        {
            var left = k < removed ? fromA + k : -1;
            var right = k < added ? fromB + k : -1;
            var kind = left >= 0 && right >= 0 ? DiffRowKind.Changed : left >= 0 ? DiffRowKind.Removed : DiffRowKind.Added;
            rows.Add(new DiffRow(kind, left >= 0 ? left + 1 : null, left >= 0 ? a[left] : null, right >= 0 ? right + 1 : null, right >= 0 ? b[right] : null));
        }
    }

    private static string[] Lines(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }
}
