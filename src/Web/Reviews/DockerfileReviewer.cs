using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Parsing;
using LayerLens.Analyzer.BuildContexts;
using LayerLens.Analyzer.BuildContexts.Archives;
using LayerLens.Analyzer.Optimisation.CostModel;
using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Analyzer.UseCases.DockerfileReviews;

namespace LayerLens.Web.Reviews;

/// <summary>What a review job is given: the stored Dockerfile, optional context archive and build log, and whether to measure.</summary>
public sealed record ReviewInput(string FileName, string DockerfilePath, string? ContextArchivePath, string? BuildLogPath, bool Measure, int Runs)
{
    /// <summary>The uploaded change history (git log --name-only text); uniform weights without it. Git is never run here.</summary>
    public string? ChangeHistoryPath { get; init; }
}

/// <summary>
/// The web's side of <see cref="DockerfileReview"/>: the stored uploads turned into its input (the context archive
/// unpacked safely into the work directory, measurement only in this server's build sandbox), then the engine's review.
/// </summary>
public static class DockerfileReviewer
{
    public const int MaxRuns = 10;

    /// <param name="builder">Measurement runs only in its build sandbox, with its limits; never unsandboxed.</param>
    public static async Task<DockerfileReviewOutcome> ReviewAsync(ReviewInput input, string work, ContextLimits limits, BuilderProbe builder, Action<string> phase, CancellationToken ct)
    {
        var document = DockerfileDocument.From(DockerfileParser.Parse(DockerfileLoader.Load(input.DockerfilePath)));
        var context = BuildContext.Unknown;
        ReviewContext? unpacked = null;
        if (input.ContextArchivePath is { } archive)
        {
            phase("unpacking the build context");
            var root = Path.Combine(work, "context");
            var summary = ContextArchive.Extract(archive, root, limits, ct);
            unpacked = new ReviewContext(summary.Entries, summary.ExpandedBytes, summary.SkippedMetadata);
            // The Dockerfile sits beside the context, as `-f` would name it; a Dockerfile.dockerignore does not apply.
            var dockerfile = Path.Combine(work, "Dockerfile");
            File.Copy(input.DockerfilePath, dockerfile);
            context = BuildContext.Load(root, dockerfile);
        }
        var review = new DockerfileReviewInput(input.FileName, document, context)
        {
            BuildLog = input.BuildLogPath is { } log ? BuildLogDurations.Parse(await File.ReadAllTextAsync(log, ct)) : null,
            Changes = input.ChangeHistoryPath is { } history ? ChangeHistory.Read(history, "uploaded history") : null,
            Measure = input.Measure && context.IsKnown
                ? builder.Options(Math.Clamp(input.Runs, 1, MaxRuns), work, line => phase("measuring: " + line))
                : null,
            Unpacked = unpacked,
        };
        return await DockerfileReview.RunAsync(review, phase, ct);
    }
}
