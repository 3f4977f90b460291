using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.UseCases.DockerfileReviews;
using LayerLens.Data.Blobs;
using LayerLens.Data.Model;
using LayerLens.Web.BuildContexts;
using LayerLens.Web.Reviews;
using LayerLens.Web.Verdicts;

namespace LayerLens.Web.Jobs.Pipelines;

/// <summary>
/// A Dockerfile review as the job runs it: the stored uploads handed to <see cref="DockerfileReviewer"/> (the engine's
/// <see cref="DockerfileReview"/>), the verdict of <see cref="DockerfileReviewVerdict"/>, and the report set.
/// </summary>
public sealed class ReviewPipeline(BlobStore blobs, ContextLimits contextLimits, BuilderProbe builder, StoredReports reports)
{
    public async Task<PipelineResult> RunAsync(Analysis analysis, string work, string output, Action<string> phase, CancellationToken ct)
    {
        phase("reading the Dockerfile");
        // SARIF and JUnit locations name the Dockerfile's path in the caller's repository when CI gave one.
        var input = new ReviewInput(
            analysis.DockerfilePath ?? analysis.SourceReference,
            StoredBlob(analysis.InputDigest, "Dockerfile"),
            analysis.ContextDigest is { } context ? StoredBlob(context, "build context") : null,
            analysis.BuildLogDigest is { } log ? StoredBlob(log, "build log") : null,
            analysis.MeasureRequested,
            analysis.MeasureRuns ?? 3)
        {
            ChangeHistoryPath = analysis.ChangeHistoryDigest is { } changes ? StoredBlob(changes, "change history") : null,
        };
        var review = await DockerfileReviewer.ReviewAsync(input, work, contextLimits, builder, phase, ct);
        var policy = ServicePolicy.Rules(analysis.Project?.Policy, analysis.CiConfig)?.EvaluateLint(review.Lint.Findings.Select(f => f.Severity));
        phase("writing results");
        await reports.WriteAsync(new DockerfileReviewReport(review, policy), analysis.Id, output, ct);
        return new PipelineResult(DockerfileReviewVerdict.Decide(review.Lint, policy), a => Columns(a, review));
    }

    private string StoredBlob(string? digest, string what)
    {
        var path = digest is null ? null : blobs.PathOf(digest);
        return path is not null && File.Exists(path)
            ? path
            : throw new InvalidDataException($"the uploaded {what} is no longer stored (removed by the retention setting); submit it again");
    }

    private static Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Analysis> Columns(
        Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Analysis> a, DockerfileReviewOutcome review)
    {
        var findings = review.Lint.Findings;
        int Count(Severity s) => findings.Count(f => f.Severity == s);
        var sourceEdit = review.Measured?.Scenarios.FirstOrDefault(s => s.Name == "source-edit") ?? review.Measured?.Scenarios.FirstOrDefault();
        double? saving = sourceEdit is null ? null : Math.Round(sourceEdit.OriginalSeconds - sourceEdit.RecommendedSeconds, 3);
        bool? equivalent = review.Measured?.Equivalent;
        return a
            .SetProperty(x => x.FindingCount, findings.Count)
            .SetProperty(x => x.ErrorFindingCount, Count(Severity.Error))
            .SetProperty(x => x.WarningFindingCount, Count(Severity.Warning))
            .SetProperty(x => x.InfoFindingCount, Count(Severity.Info))
            .SetProperty(x => x.StyleFindingCount, Count(Severity.Style))
            .SetProperty(x => x.ChangeCount, review.Optimisation.Changes.Count(c => !c.IsAdvice))
            .SetProperty(x => x.ExpectedOriginalSeconds, Math.Round(review.Optimisation.ExpectedOriginalSeconds, 3))
            .SetProperty(x => x.ExpectedRecommendedSeconds, Math.Round(review.Optimisation.ExpectedRecommendedSeconds, 3))
            .SetProperty(x => x.MeasuredSavingSeconds, saving)
            .SetProperty(x => x.MeasuredEquivalent, equivalent);
    }
}
