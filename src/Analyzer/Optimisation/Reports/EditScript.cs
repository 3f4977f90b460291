namespace LayerLens.Analyzer.Optimisation.Reports;

/// <summary>One step of an edit script: keep (' '), delete ('-') or insert ('+') a line.</summary>
/// <param name="A">Index in the old lines (for an insert, where it goes).</param>
/// <param name="B">Index in the new lines (for a delete, where it was).</param>
public readonly record struct Edit(char Kind, int A, int B);

/// <summary>
/// Myers' shortest edit script between two line lists: the one diff algorithm behind the unified diff of
/// the reports and the side-by-side view of the web.
/// </summary>
public static class EditScript
{
    /// <summary>
    /// The edits turning <paramref name="a"/> into <paramref name="b"/>, in order. Past
    /// <paramref name="maxEditDistance"/> differing lines: every line deleted, then every line inserted
    /// (bounded time and memory).
    /// </summary>
    public static IReadOnlyList<Edit> Of(IReadOnlyList<string> a, IReadOnlyList<string> b, int maxEditDistance)
    {
        int n = a.Count, m = b.Count, max = n + m;
        var offset = max + 1;
        var v = new int[2 * max + 3];
        var trace = new List<int[]>();
        var found = false;
        for (var d = 0; d <= Math.Min(max, maxEditDistance) && !found; d++)
        {
            trace.Add((int[])v.Clone());
            for (var k = -d; k <= d; k += 2)
            {
                var x = k == -d || k != d && v[offset + k - 1] < v[offset + k + 1] ? v[offset + k + 1] : v[offset + k - 1] + 1;
                var y = x - k;
                while (x < n && y < m && a[x] == b[y])
                {
                    x++;
                    y++;
                }
                v[offset + k] = x;
                if (x >= n && y >= m)
                {
                    found = true;
                    break;
                }
            }
        }
        if (!found)
        {
            var all = new List<Edit>();
            all.AddRange(Enumerable.Range(0, n).Select(i => new Edit('-', i, 0)));
            all.AddRange(Enumerable.Range(0, m).Select(j => new Edit('+', n, j)));
            return all;
        }
        var ops = new List<Edit>();
        int cx = n, cy = m;
        for (var d = trace.Count - 1; d >= 0; d--)
        {
            var vd = trace[d];
            var k = cx - cy;
            var prevK = k == -d || k != d && vd[offset + k - 1] < vd[offset + k + 1] ? k + 1 : k - 1;
            var prevX = d == 0 ? 0 : vd[offset + prevK];
            var prevY = prevX - prevK;
            while (cx > prevX && cy > prevY)
            {
                cx--;
                cy--;
                ops.Add(new Edit(' ', cx, cy));
            }
            if (d > 0)
            {
                if (cx == prevX)
                {
                    ops.Add(new Edit('+', cx, prevY));
                }
                else
                {
                    ops.Add(new Edit('-', prevX, cy));
                }
            }
            cx = prevX;
            cy = prevY;
        }
        ops.Reverse();
        return ops;
    }
}
