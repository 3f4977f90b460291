using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Analyzer.Reports.Verdicts;

namespace LayerLens.Analyzer.Reports;

/// <summary>Report schema v1 (<see cref="ImageReport"/>; the field names of docs/numbers.md, never renamed): the same records the web reads back.</summary>
public sealed class JsonReportWriter : IReportWriter
{
    public const int SchemaVersion = ImageReport.Version;

    public void Write(ImageAnalysis a, Verdict verdict, Stream output) => ReportJson.Write(ImageReport.From(a, verdict), output);
}
