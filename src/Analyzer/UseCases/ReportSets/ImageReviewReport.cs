using LayerLens.Analyzer.Reports;
using LayerLens.Analyzer.UseCases.ImageReviews;

namespace LayerLens.Analyzer.UseCases.ReportSets;

/// <summary>
/// The reports of an image review in any of <see cref="ReportFormats.Names"/>. With the Dockerfile the image was built
/// from, SARIF points at the instruction that caused each finding (else at line 1 of no file).
/// </summary>
public sealed class ImageReviewReport(ImageReviewResult review, SarifDockerfile? dockerfile = null) : IMultiFormatReport
{
    public void Write(string format, Stream output)
    {
        var writer = format == "sarif" && dockerfile is not null ? new SarifReportWriter(dockerfile) : ReportFormats.For(format);
        writer.Write(review.Analysis, review.Verdict, output);
    }
}
