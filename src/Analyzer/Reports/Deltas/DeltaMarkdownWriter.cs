using System.Globalization;
using System.Text;
using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.Reports.Deltas;

/// <summary>
/// The delta as a pull-request comment: a before/after table with arrows, only what the change introduced (new
/// findings, new waste items), the layer that grew most, every regression rule, and a link to the Compare page.
/// </summary>
public static class DeltaMarkdownWriter
{
    private const int MaxRows = 20;

    public static void Write(DeltaReport report, DeltaReportOptions options, Stream output)
    {
        using var w = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true);
        var baseline = report.Baseline;
        var verdict = baseline.Verdict;
        var status = verdict.Passed ? verdict.Warnings.Any() ? " ⚠️" : " ✅" : " ❌";
        w.WriteLine($"### LayerLens: `{Code(report.Current.Name)}` compared with {BaselineName(baseline)}{status}");
        w.WriteLine();
        if (!baseline.Found)
        {
            w.WriteLine($"**No baseline**: {Text(verdict.Rules.Count > 0 ? verdict.Rules[0].Message : "nothing to compare with")}");
        }
        if (baseline.Image is { } image)
        {
            WriteImage(w, image);
        }
        if (baseline.Findings is { } findings)
        {
            WriteFindings(w, findings);
        }
        if (verdict.Rules.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("#### Regression rules");
            w.WriteLine();
            foreach (var r in verdict.Rules)
            {
                var mark = r.Outcome switch { RegressionOutcome.Failed => "❌", RegressionOutcome.Warned => "⚠️", _ => "✅" };
                w.WriteLine($"- {mark} **{r.Rule}**: {Text(r.Message)} (before {Text(r.Before)}, after {Text(r.After)}, limit {Text(r.Threshold)})");
            }
        }
        if (options.CompareUrl is { Length: > 0 } url && Uri.TryCreate(url, UriKind.Absolute, out var link) && link.Scheme is "http" or "https")
        {
            w.WriteLine();
            w.WriteLine($"[Compare with the baseline]({link.AbsoluteUri})");
        }
    }

    private static void WriteImage(StreamWriter w, ImageDelta d)
    {
        w.WriteLine("| metric | baseline | current | change |");
        w.WriteLine("|---|---:|---:|---|");
        w.WriteLine($"| image size | {ByteSize.Format(d.SizeBytes.Before)} | {ByteSize.Format(d.SizeBytes.After)} | {Bytes(d.SizeBytes)} |");
        w.WriteLine($"| compressed size | {ByteSize.Format(d.CompressedSizeBytes.Before)} | {ByteSize.Format(d.CompressedSizeBytes.After)} | {Bytes(d.CompressedSizeBytes)} |");
        w.WriteLine($"| wasted bytes | {ByteSize.Format(d.WastedBytes.Before)} | {ByteSize.Format(d.WastedBytes.After)} | {Bytes(d.WastedBytes)} |");
        w.WriteLine($"| efficiency | {ByteSize.Percent(d.Efficiency.Before)} | {ByteSize.Percent(d.Efficiency.After)} | {Arrow(Math.Round(d.Efficiency.Change, 6))} {Points(d.Efficiency.Change)} |");
        w.WriteLine($"| files | {d.FileCount.Before} | {d.FileCount.After} | {Arrow(d.FileCount.Change)} {Signed(d.FileCount.Change)} |");
        if (d.LargestGrowth is { } layer)
        {
            var where = layer.BeforeIndex is null ? $"new layer {layer.AfterIndex}" : $"layer {layer.AfterIndex} (was {layer.BeforeIndex})";
            w.WriteLine();
            w.WriteLine($"**Grew most:** {where} `{Code(TableReportWriter.Shorten(layer.CreatedBy ?? "", 90))}`: ↑ +{ByteSize.Format(layer.Growth)} ({ByteSize.Format(layer.BeforeBytes)} → {ByteSize.Format(layer.AfterBytes)})");
        }
        if (d.NewWaste.Count > 0)
        {
            w.WriteLine();
            w.WriteLine($"#### New waste ({d.NewWaste.Count})");
            w.WriteLine();
            w.WriteLine("| bytes | kind | path | shipped in | made dead by |");
            w.WriteLine("|---:|---|---|---:|---:|");
            foreach (var item in d.NewWaste.OrderByDescending(i => i.Bytes).Take(MaxRows))
            {
                w.WriteLine($"| {ByteSize.Format(item.Bytes)} | {item.Kind.ToReportName()} | `{Code(item.Path)}` | {item.LayerIndex} | {item.CauseLayerIndex} |");
            }
            More(w, d.NewWaste.Count);
        }
    }

    private static void WriteFindings(StreamWriter w, FindingsDelta d)
    {
        var before = d.Unchanged + d.Updated + d.Absent;
        var after = d.New + d.Unchanged + d.Updated;
        w.WriteLine("| findings | baseline | current | change |");
        w.WriteLine("|---|---:|---:|---|");
        w.WriteLine($"| all | {before} | {after} | {Arrow(after - before)} {Signed(after - before)} |");
        w.WriteLine($"| new · unchanged · updated · fixed | | | {d.New} · {d.Unchanged} · {d.Updated} · {d.Absent} |");
        var fresh = d.Findings.Where(f => f.State == BaselineState.New).ToList();
        if (fresh.Count > 0)
        {
            w.WriteLine();
            w.WriteLine($"#### New findings ({fresh.Count})");
            w.WriteLine();
            w.WriteLine("| severity | rule | where | message |");
            w.WriteLine("|---|---|---|---|");
            foreach (var f in fresh.Take(MaxRows).Select(f => f.Finding))
            {
                w.WriteLine($"| {f.Severity} | {Text(f.RuleId)} | `{Code(f.File)}:{f.Line}` | {Text(f.Message)} |");
            }
            More(w, fresh.Count);
        }
    }

    private static void More(StreamWriter w, int count)
    {
        if (count > MaxRows)
        {
            w.WriteLine();
            w.WriteLine($"_…and {count - MaxRows} more._");
        }
    }

    private static string BaselineName(DeltaBaseline b)
    {
        var parts = new List<string>();
        if (b.Branch is { Length: > 0 } branch)
        {
            parts.Add($"`{Code(branch)}`");
        }
        if (b.Commit is { Length: > 0 } commit)
        {
            parts.Add($"`{Code(commit.Length > 12 ? commit[..12] : commit)}`");
        }
        if (parts.Count == 0 && b.Subject is { } subject)
        {
            parts.Add($"`{Code(subject.Name)}`");
        }
        return parts.Count == 0 ? "the baseline" : "the baseline " + string.Join(" @ ", parts);
    }

    private static string Bytes(CountDelta d) =>
        $"{Arrow(d.Change)} {(d.Change >= 0 ? "+" + ByteSize.Format(d.Change) : "-" + ByteSize.Format(-d.Change))}"
        + (d.Percent is { } p ? $" ({(p >= 0 ? "+" : "")}{p.ToString("0.#", CultureInfo.InvariantCulture)}%)" : "");

    private static string Arrow(double change) => change > 0 ? "↑" : change < 0 ? "↓" : "=";

    private static string Points(double change) => (change >= 0 ? "+" : "") + (change * 100).ToString("0.00", CultureInfo.InvariantCulture) + " pp";

    private static string Signed(long n) => n >= 0 ? "+" + n.ToString(CultureInfo.InvariantCulture) : n.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The attacker's text (rule messages quote paths and Dockerfile text) as plain Markdown text: every ASCII
    /// punctuation character backslash-escaped (CommonMark allows it for all of them), so no link, image, emphasis,
    /// HTML, entity or table cell break; and since GitHub links mentions, issue numbers and bare URLs in the rendered
    /// text (after escapes are gone), a zero-width space after <c>@</c>, <c>#</c>, <c>:</c> before <c>//</c> and
    /// <c>www</c> breaks them. Line breaks become spaces: one line, one table row.
    /// </summary>
    private static string Text(string text)
    {
        var b = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\r' or '\n')
            {
                b.Append(' ');
            }
            else if (c < 128 && (char.IsPunctuation(c) || char.IsSymbol(c)))
            {
                b.Append('\\').Append(c);
                if (c is '@' or '#' || c == ':' && text.AsSpan(i + 1).StartsWith("//", StringComparison.Ordinal))
                {
                    b.Append(ZeroWidthSpace);
                }
            }
            else if (c is 'w' or 'W' && text.AsSpan(i).StartsWith("www.", StringComparison.OrdinalIgnoreCase))
            {
                b.Append(c).Append(ZeroWidthSpace);
            }
            else
            {
                b.Append(c);
            }
        }
        return b.ToString();
    }

    /// <summary>
    /// The attacker's text inside a code span, where nothing renders (no link, mention or HTML): only a backtick could
    /// end the span early and a pipe the table cell, and a line break the row.
    /// </summary>
    private static string Code(string text) => text.Replace("`", "'", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal)
        .Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private const char ZeroWidthSpace = '\u200B';
}
