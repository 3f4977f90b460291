using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Reports.Verdicts;

namespace LayerLens.Analyzer.Reports;

/// <summary>Formats an image analysis (and its CI verdict) for one audience.</summary>
public interface IReportWriter
{
    void Write(ImageAnalysis a, Verdict verdict, Stream output);
}

public static class ReportFormats
{
    public static readonly string[] Names = ["table", "json", "markdown", "sarif", "junit", "dive-json"];

    public static IReportWriter For(string format) => format switch
    {
        "table" => new TableReportWriter(),
        "json" => new JsonReportWriter(),
        "markdown" => new MarkdownReportWriter(),
        "sarif" => new SarifReportWriter(),
        "junit" => new JunitReportWriter(),
        "dive-json" => new DiveJsonReportWriter(),
        _ => throw new ArgumentException($"unknown format '{format}'; use one of {string.Join(", ", Names)}", nameof(format)),
    };
}
