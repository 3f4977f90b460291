namespace LayerLens.Analyzer.Optimisation.Reports;

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
/// The unified diff's edit script (<see cref="EditScript"/>) laid out as aligned rows: kept lines side by
/// side, and each run of deleted and inserted lines between two kept lines paired into "changed" rows. Lines
/// are compared without their line ends (CRLF and LF alike). Past <see cref="UnifiedDiff.MaxEditDistance"/>
/// differing lines the files are one replaced block.
/// </summary>
public static class SideBySideDiff
{
    public static IReadOnlyList<DiffRow> Build(string original, string recommended)
    {
        var a = Lines(original);
        var b = Lines(recommended);
        var rows = new List<DiffRow>(Math.Max(a.Length, b.Length));
        int runA = 0, runB = 0;
        foreach (var edit in EditScript.Of(a, b, UnifiedDiff.MaxEditDistance))
        {
            if (edit.Kind != ' ')
            {
                continue;
            }
            Pair(rows, a, runA, edit.A, b, runB, edit.B);
            rows.Add(new DiffRow(DiffRowKind.Same, edit.A + 1, a[edit.A], edit.B + 1, b[edit.B]));
            runA = edit.A + 1;
            runB = edit.B + 1;
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
