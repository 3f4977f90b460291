using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.UseCases.DockerfileReviews;
using LayerLens.Data.Blobs;
using LayerLens.Data.Model;
using LayerLens.Analyzer.BuildContexts.Archives;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Web.Baselines;
using LayerLens.Web.Reviews;
using LayerLens.Web.Verdicts;

namespace LayerLens.Web.Jobs.Pipelines;

/// <summary>
/// A Dockerfile review as the job runs it: the stored uploads handed to <see cref="DockerfileReviewer"/> (the engine's
/// <see cref="DockerfileReview"/>), the verdict of <see cref="DockerfileReviewVerdict"/>, and the report set.
/// </summary>
public sealed class ReviewPipeline(BlobStore blobs, ContextLimits contextLimits, BuilderProbe builder, StoredReports reports, BaselineComparer baselines)
{
    public async Task<PipelineResult> RunAsync(Analysis analysis, string work, string output, Action<string> phase, CancellationToken ct)
    {
        phase("reading the Dockerfile");
        // SARIF and JUnit locations name the Dockerfile's path in the caller's repository when CI gave one.
        var input = new ReviewInput(
            analysis.DockerfilePath ?? analysis.SourceReference,
            StoredBlob(analysis.InputDigest, "Dockerfile"),
            analysis.BuildContextDigest is { } context ? StoredBlob(context, "build context") : null,
            analysis.BuildLogDigest is { } log ? StoredBlob(log, "build log") : null,
            analysis.MeasureRequested,
            analysis.MeasureRuns ?? 3)
        {
            ChangeHistoryPath = analysis.ChangeHistoryDigest is { } changes ? StoredBlob(changes, "change history") : null,
        };
        var review = await DockerfileReviewer.ReviewAsync(input, work, contextLimits, builder, phase, ct);
        var policy = ServicePolicy.Rules(analysis.Project?.Policy, analysis.CiConfig)?.EvaluateLint(review.Lint.Findings.Select(f => f.Severity));
        BaselineOutcome? compared = null;
        if (BaselineComparer.Wanted(analysis))
        {
            phase("comparing with the baseline");
            compared = await baselines.CompareReviewAsync(analysis, new DockerfileReviewReport(review, policy).Contract(), ct);
            // The regression rules join the policy's: the review's verdict, reports, row and webhooks list them.
            policy = ServicePolicy.Combine(policy ?? Verdict.None, RegressionPolicies.AsVerdict(compared.Delta.Baseline.Verdict));
        }
        phase("writing results");
        await reports.WriteAsync(new DockerfileReviewReport(review, policy), analysis.Id, output, ct);
        if (compared is not null)
        {
            await reports.WriteDeltaAsync(compared.Reports, analysis.Id, output, ct);
        }
        return new PipelineResult(DockerfileReviewVerdict.Decide(review.Lint, policy), id => ResultOf(id, review)) { Baseline = compared };
    }

    private string StoredBlob(string? digest, string what)
    {
        var path = digest is null ? null : blobs.PathOf(digest);
        return path is not null && File.Exists(path)
            ? path
            : throw new InvalidDataException($"the uploaded {what} is no longer stored (removed by the retention setting); submit it again");
    }

    private static ReviewResult ResultOf(Guid analysisId, DockerfileReviewOutcome review)
    {
        var findings = review.Lint.Findings;
        int Count(Severity s) => findings.Count(f => f.Severity == s);
        var sourceEdit = review.Measured?.Scenarios.FirstOrDefault(s => s.Name == "source-edit") ?? review.Measured?.Scenarios.FirstOrDefault();
        return new ReviewResult
        {
            AnalysisId = analysisId,
            FindingCount = findings.Count,
            ErrorFindingCount = Count(Severity.Error),
            WarningFindingCount = Count(Severity.Warning),
            InfoFindingCount = Count(Severity.Info),
            StyleFindingCount = Count(Severity.Style),
            ChangeCount = review.Optimisation.Changes.Count(c => !c.IsAdvice),
            ExpectedOriginalSeconds = Math.Round(review.Optimisation.ExpectedOriginalSeconds, 3),
            ExpectedRecommendedSeconds = Math.Round(review.Optimisation.ExpectedRecommendedSeconds, 3),
            MeasuredSavingSeconds = sourceEdit is null ? null : Math.Round(sourceEdit.OriginalSeconds - sourceEdit.RecommendedSeconds, 3),
            MeasuredEquivalent = review.Measured?.Equivalent,
        };
    }
}
