using System.Text;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.Reports;

/// <summary>A summary fit for a pull-request comment.</summary>
public sealed class MarkdownReportWriter : IReportWriter
{
    private const int MaxWasteRows = 15;

    public void Write(ImageAnalysis a, Verdict verdict, Stream output)
    {
        using var w = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true);
        var status = verdict.Rules.Count == 0 ? "" : verdict.Passed ? " ✅" : " ❌";
        w.WriteLine($"### LayerLens: `{Escape(a.Reference)}`{status}");
        w.WriteLine();
        w.WriteLine("| metric | value |");
        w.WriteLine("|---|---|");
        w.WriteLine($"| efficiency | {ByteSize.Percent(a.Efficiency)} |");
        w.WriteLine($"| wasted (dead) bytes | {ByteSize.Format(a.WastedBytes)} |");
        w.WriteLine($"| duplicate bytes | {ByteSize.Format(a.DuplicateBytes)} |");
        w.WriteLine($"| image size | {ByteSize.Format(a.SizeBytes)} ({ByteSize.Format(a.CompressedSizeBytes)} compressed) |");
        w.WriteLine($"| final filesystem | {ByteSize.Format(a.FinalBytes)} in {a.FileCount} files |");
        w.WriteLine($"| platform | {a.Platform} |");
        w.WriteLine();
        w.WriteLine("| # | size | added | modified | removed | created by |");
        w.WriteLine("|---:|---:|---:|---:|---:|---|");
        foreach (var l in a.Layers)
        {
            w.WriteLine($"| {l.Index} | {ByteSize.Format(l.SizeBytes)} | {l.Added} | {l.Modified} | {l.Removed} | `{Escape(TableReportWriter.Shorten(l.CreatedBy ?? "", 70))}` |");
        }
        if (a.Waste.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("<details><summary>Largest waste</summary>");
            w.WriteLine();
            w.WriteLine("| bytes | kind | path | shipped in | made dead by |");
            w.WriteLine("|---:|---|---|---:|---:|");
            foreach (var item in a.Waste.Take(MaxWasteRows))
            {
                w.WriteLine($"| {ByteSize.Format(item.Bytes)} | {item.Kind.ToReportName()} | `{Escape(item.Path)}` | {item.LayerIndex} | {item.CauseLayerIndex} |");
            }
            w.WriteLine();
            w.WriteLine("</details>");
        }
        if (verdict.Rules.Count > 0)
        {
            w.WriteLine();
            foreach (var r in verdict.Rules)
            {
                w.WriteLine($"- {(r.Passed ? "✅" : "❌")} **{r.Rule}**: {Escape(r.Message)}");
            }
        }
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("`", "'", StringComparison.Ordinal);
}
