using System.Text;

namespace LayerLens.Analyzer.Optimisation.Reports;

/// <summary>A unified diff of two texts (<see cref="EditScript"/>, 3 lines of context).</summary>
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
        var ops = EditScript.Of(a, b, MaxEditDistance);
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
}
