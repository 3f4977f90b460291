using System.Text;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.Reports;

/// <summary>Plain-text tables for a terminal (the default format).</summary>
public sealed class TableReportWriter : IReportWriter
{
    private const int MaxWasteRows = 20;

    public void Write(ImageAnalysis a, Verdict verdict, Stream output)
    {
        using var w = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true);
        w.WriteLine($"Image       {a.Reference}");
        w.WriteLine($"Digest      {a.Digest}");
        w.WriteLine($"Platform    {a.Platform}");
        w.WriteLine($"Size        {ByteSize.Format(a.SizeBytes)} ({ByteSize.Format(a.CompressedSizeBytes)} compressed), {a.FileCount} files");
        w.WriteLine($"Efficiency  {ByteSize.Percent(a.Efficiency)}  wasted {ByteSize.Format(a.WastedBytes)}  duplicates {ByteSize.Format(a.DuplicateBytes)}");
        w.WriteLine();
        w.WriteLine($"{"#",3}  {"size",10}  {"added",7}  {"modified",8}  {"removed",7}  command");
        foreach (var l in a.Layers)
        {
            w.WriteLine($"{l.Index,3}  {ByteSize.Format(l.SizeBytes),10}  {l.Added,7}  {l.Modified,8}  {l.Removed,7}  {Shorten(l.CreatedBy ?? "", 80)}");
        }
        if (a.Waste.Count > 0)
        {
            w.WriteLine();
            w.WriteLine($"{"bytes",10}  {"kind",-12}  {"layer",5}  {"cause",5}  path");
            foreach (var item in a.Waste.Take(MaxWasteRows))
            {
                var files = item.Files > 1 ? $" ({item.Files} files)" : "";
                w.WriteLine($"{ByteSize.Format(item.Bytes),10}  {item.Kind.ToReportName(),-12}  {item.LayerIndex,5}  {item.CauseLayerIndex,5}  {item.Path}{files}");
            }
            if (a.Waste.Count > MaxWasteRows)
            {
                w.WriteLine($"… {a.Waste.Count - MaxWasteRows} more (use --format json for all)");
            }
        }
        if (verdict.Rules.Count > 0)
        {
            w.WriteLine();
            foreach (var r in verdict.Rules)
            {
                w.WriteLine($"{(r.Passed ? "PASS" : "FAIL")}  {r.Rule}: {r.Message}");
            }
            w.WriteLine(verdict.Passed ? "Verdict: passed" : "Verdict: FAILED");
        }
    }

    internal static string Shorten(string text, int max)
    {
        var single = text.ReplaceLineEndings(" ");
        return single.Length <= max ? single : single[..(max - 1)] + "…";
    }
}
