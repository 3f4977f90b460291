using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Dockerfiles.Linting.Reports;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Optimisation;
using LayerLens.Analyzer.BuildContexts;
using LayerLens.Analyzer.Optimisation.CostModel;
using LayerLens.Analyzer.Optimisation.Measurement;
using LayerLens.Analyzer.Reports.Schema;

namespace LayerLens.Analyzer.UseCases.DockerfileReviews;

/// <summary>What to review: a parsed Dockerfile, its build context (or none), and what else is known about its builds.</summary>
public sealed record DockerfileReviewInput(string FileName, DockerfileDocument Document, BuildContext Context)
{
    /// <summary>Step durations from a BuildKit log.</summary>
    public IReadOnlyList<LoggedStep>? BuildLog { get; init; }

    /// <summary>History of an image built from this Dockerfile: step durations from its timestamps.</summary>
    public IReadOnlyList<HistoryEntry>? ImageHistory { get; init; }

    /// <summary>How often each context path changed; uniform weights without it.</summary>
    public ChangeHistory? Changes { get; init; }

    /// <summary>Measure rebuilds with these options (only with a known context); null: expectation only.</summary>
    public MeasureOptions? Measure { get; init; }

    /// <summary>What an uploaded context archive unpacked to, for the report; null when the context was a directory or absent.</summary>
    public ReviewContext? Unpacked { get; init; }
}

/// <summary>Lint findings, the optimiser's recommendation and, when measured, the rebuild measurements.</summary>
public sealed record DockerfileReviewOutcome(string FileName, LintReport Lint, OptimisationResult Optimisation, MeasurementResult? Measured)
{
    /// <summary>What the uploaded context unpacked to, including the version-control entries left out; null without one.</summary>
    public ReviewContext? Context { get; init; }
}

/// <summary>
/// Reviewing a Dockerfile: lint → optimise → measure. <c>layerlens optimize</c> and the web's review job both run
/// this; the verdict is <see cref="DockerfileReviewVerdict"/>'s and the reports <see cref="DockerfileReviewReport"/>'s.
/// </summary>
public static class DockerfileReview
{
    /// <summary>A .dockerignore larger than this is not read for the lint (the optimiser reads the context's own).</summary>
    private const long MaxDockerIgnoreBytes = 1024 * 1024;

    public static async Task<DockerfileReviewOutcome> RunAsync(DockerfileReviewInput input, Action<string>? phase, CancellationToken cancellationToken)
    {
        phase?.Invoke("linting");
        var options = new LintOptions().ForFile(await DockerIgnoreAsync(input.Context, cancellationToken));
        var lint = new LintReport { FailureThreshold = options.FailureThreshold };
        lint.Files.Add(input.FileName);
        lint.Findings.AddRange(Linter.Lint(input.Document, options, input.FileName));
        cancellationToken.ThrowIfCancellationRequested();

        phase?.Invoke("optimising");
        var result = Optimizer.Optimize(input.Document, input.Context, buildLog: input.BuildLog, history: input.ImageHistory, changes: input.Changes);

        MeasurementResult? measured = null;
        if (input.Measure is { } measure && input.Context.IsKnown)
        {
            phase?.Invoke("measuring rebuilds with buildah");
            measured = await RebuildMeasurement.MeasureAsync(result, measure, cancellationToken);
        }
        return new DockerfileReviewOutcome(input.FileName, lint, result, measured) { Context = input.Unpacked };
    }

    /// <summary>The context root's .dockerignore lines; never through a link (a hostile context could point it anywhere).</summary>
    private static async Task<IReadOnlyList<string>?> DockerIgnoreAsync(BuildContext context, CancellationToken cancellationToken)
    {
        if (context.Root is not { } root)
        {
            return null;
        }
        var ignore = new FileInfo(Path.Combine(root, ".dockerignore"));
        return ignore.Exists && ignore.LinkTarget is null && ignore.Length < MaxDockerIgnoreBytes
            ? await File.ReadAllLinesAsync(ignore.FullName, cancellationToken)
            : null;
    }
}
