using System.Text;
using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Dockerfiles.Linting.Reports;
using LayerLens.Analyzer.Optimisation.Reports;
using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.UseCases.ReportSets;

namespace LayerLens.Analyzer.UseCases.DockerfileReviews;

/// <summary>
/// The report of a Dockerfile review in the four service formats. JSON (schema v1, <see cref="ReviewReport"/>) holds
/// the lint <c>findings[]</c> and <c>verdict</c> beside the optimise fields of <c>layerlens optimize --format json</c>;
/// SARIF and JUnit carry the findings; Markdown both findings and the optimisation.
/// </summary>
/// <param name="policy">The project's or request's CI rules (worst lint severity); their failures join the lint's.</param>
public sealed class DockerfileReviewReport(DockerfileReviewOutcome review, Verdict? policy = null) : IMultiFormatReport
{
    public void Write(string format, Stream output)
    {
        switch (format)
        {
            case "json":
                output.Write(Encoding.UTF8.GetBytes(ReportJson.Write(Contract())));
                break;
            case "markdown":
                var text = LintReportWriters.Markdown(review.Lint) + "\n" + OptimizeReport.Write("markdown", review.Optimisation, review.Measured);
                if (review.Context is { VersionControlEntriesLeftOut: > 0 } context)
                {
                    text += $"\n_{context.VersionControlEntriesLeftOut} version-control entries (.git, .hg, …) of the uploaded context were left out: the service never runs tools on them._\n";
                }
                output.Write(Encoding.UTF8.GetBytes(text));
                break;
            default:
                LintReportWriters.Write(review.Lint, format, output);
                break;
        }
    }

    /// <summary>The schema v1 record the JSON format writes and the review page reads.</summary>
    public ReviewReport Contract() => ReviewReport.From(
        new ReviewDockerfile(review.FileName, review.Optimisation.OriginalDockerfile),
        [.. review.Lint.Findings.Select(Finding)],
        DockerfileReviewVerdict.ForReport(review.Lint, policy),
        review.Context,
        OptimizeReport.Contract(review.Optimisation, review.Measured));

    private static ReviewFinding Finding(Finding f) =>
        new(f.RuleId, f.Severity.ToName(), f.File, f.Line, f.Column, f.EndLine, f.EndColumn, f.Message, f.HadolintId, f.BuildkitCheck);
}
