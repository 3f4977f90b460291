using System.Text;

namespace LayerLens.Analyzer.Optimisation.Reports;

/// <summary>A unified diff of two texts (Myers' shortest edit script, 3 lines of context).</summary>
public static class UnifiedDiff
{
    /// <summary>Past this many differing lines the diff is one hunk replacing everything (bounded time and memory).</summary>
    public const int MaxEditDistance = 4000;

    public static string Create(string before, string after, string fromName = "a/Dockerfile", string toName = "b/Dockerfile", int context = 3)
    {
        if (before == after)
        {
            return "";
        }
        var a = SplitLines(before);
        var b = SplitLines(after);
        var ops = Diff(a, b);
        var sb = new StringBuilder();
        sb.Append("--- ").Append(fromName).Append('\n').Append("+++ ").Append(toName).Append('\n');
        var i = 0;
        while (i < ops.Count)
        {
            if (ops[i].Kind == ' ')
            {
                i++;
                continue;
            }
            var start = Math.Max(0, i - context);
            var end = i;
            // Extend the hunk while changes are closer than 2×context lines apart.
            while (end < ops.Count)
            {
                if (ops[end].Kind != ' ')
                {
                    end++;
                    continue;
                }
                var run = end;
                while (run < ops.Count && ops[run].Kind == ' ')
                {
                    run++;
                }
                if (run >= ops.Count || run - end > 2 * context)
                {
                    end = Math.Min(ops.Count, end + context);
                    break;
                }
                end = run;
            }
            var aStart = ops[start].A;
            var bStart = ops[start].B;
            var aCount = ops.Skip(start).Take(end - start).Count(o => o.Kind != '+');
            var bCount = ops.Skip(start).Take(end - start).Count(o => o.Kind != '-');
            sb.Append("@@ -").Append(Range(aStart, aCount)).Append(" +").Append(Range(bStart, bCount)).Append(" @@\n");
            for (var k = start; k < end; k++)
            {
                var line = ops[k].Kind == '+' ? b[ops[k].B] : a[ops[k].A];
                sb.Append(ops[k].Kind).Append(line.TrimEnd('\n', '\r')).Append('\n');
                if (!line.EndsWith('\n'))
                {
                    sb.Append("\\ No newline at end of file\n");
                }
            }
            i = end;
        }
        return sb.ToString();
    }

    private static string Range(int start, int count) => count == 0 ? $"{start},0" : count == 1 ? $"{start + 1}" : $"{start + 1},{count}";

    private static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                lines.Add(text[start..(i + 1)]);
                start = i + 1;
            }
        }
        if (start < text.Length)
        {
            lines.Add(text[start..]);
        }
        return lines;
    }

    private readonly record struct Op(char Kind, int A, int B);

    private static List<Op> Diff(List<string> a, List<string> b)
    {
        int n = a.Count, m = b.Count, max = n + m;
        var offset = max + 1;
        var v = new int[2 * max + 3];
        var trace = new List<int[]>();
        var found = false;
        for (var d = 0; d <= Math.Min(max, MaxEditDistance) && !found; d++)
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
            var all = new List<Op>();
            all.AddRange(Enumerable.Range(0, n).Select(i => new Op('-', i, 0)));
            all.AddRange(Enumerable.Range(0, m).Select(j => new Op('+', n, j)));
            return all;
        }
        var ops = new List<Op>();
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
                ops.Add(new Op(' ', cx, cy));
            }
            if (d > 0)
            {
                if (cx == prevX)
                {
                    ops.Add(new Op('+', cx, prevY));
                }
                else
                {
                    ops.Add(new Op('-', prevX, cy));
                }
            }
            cx = prevX;
            cy = prevY;
        }
        ops.Reverse();
        return ops;
    }
}
