using System.Text;
using LayerLens.Analyzer.Reports.Deltas;
using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Analyzer.UseCases.ReportSets;

namespace LayerLens.Analyzer.UseCases.Baselines;

/// <summary>
/// A <see cref="DeltaReport"/> in each of <see cref="Formats"/>, one contract per format: JSON (schema v1, the
/// <c>baseline</c> block), Markdown for a PR comment, JUnit (a case per regression rule), SARIF with <c>baselineState</c>.
/// </summary>
public sealed class DeltaReportSet(DeltaReport report, DeltaReportOptions? options = null) : IMultiFormatReport
{
    public static readonly IReadOnlyList<string> Formats = ["json", "markdown", "junit", "sarif"];

    public DeltaReport Report => report;

    public void Write(string format, Stream output)
    {
        switch (format)
        {
            case "json":
                output.Write(Encoding.UTF8.GetBytes(ReportJson.Write(report)));
                break;
            case "markdown":
                DeltaMarkdownWriter.Write(report, options ?? DeltaReportOptions.None, output);
                break;
            case "junit":
                DeltaJunitWriter.Write(report, output);
                break;
            case "sarif":
                DeltaSarifWriter.Write(report, output);
                break;
            default:
                throw new ArgumentException($"unknown delta report format '{format}'; use one of {string.Join(", ", Formats)}", nameof(format));
        }
    }
}
