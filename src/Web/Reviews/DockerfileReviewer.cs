using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Dockerfiles.Linting.Reports;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Parsing;
using LayerLens.Analyzer.Optimisation;
using LayerLens.Analyzer.BuildContexts;
using LayerLens.Analyzer.Optimisation.CostModel;
using LayerLens.Analyzer.Optimisation.Measurement;
using LayerLens.Analyzer.BuildContexts.Archives;

namespace LayerLens.Web.Reviews;

/// <summary>What a review job is given: the stored Dockerfile, optional context archive and build log, and whether to measure.</summary>
public sealed record ReviewInput(string FileName, string DockerfilePath, string? ContextArchivePath, string? BuildLogPath, bool Measure, int Runs)
{
    /// <summary>The uploaded change history (git log --name-only text); uniform weights without it. Git is never run here.</summary>
    public string? ChangeHistoryPath { get; init; }
}

/// <summary>Lint findings, the optimiser's recommendation and, when measured, the rebuild measurements.</summary>
public sealed record ReviewOutcome(string FileName, LintReport Lint, OptimisationResult Optimisation, MeasurementResult? Measured)
{
    /// <summary>What the uploaded context unpacked to, including the version-control entries left out; null without a context.</summary>
    public ContextSummary? Context { get; init; }
}

/// <summary>
/// A Dockerfile review as the web job runs it, the same engine calls as <c>layerlens lint</c> and
/// <c>layerlens optimize --measure</c>: unpack the context into the work directory, lint, optimise, measure.
/// </summary>
public static class DockerfileReviewer
{
    public const int MaxRuns = 10;

    /// <param name="builder">Measurement runs only in its build sandbox, with its limits; never unsandboxed.</param>
    public static async Task<ReviewOutcome> ReviewAsync(ReviewInput input, string work, ContextLimits limits, BuilderProbe builder, Action<string> phase, CancellationToken ct)
    {
        var document = DockerfileDocument.From(DockerfileParser.Parse(DockerfileLoader.Load(input.DockerfilePath)));
        var context = BuildContext.Unknown;
        ContextSummary? unpacked = null;
        IReadOnlyList<string>? dockerIgnore = null;
        if (input.ContextArchivePath is { } archive)
        {
            phase("unpacking the build context");
            var root = Path.Combine(work, "context");
            unpacked = ContextArchive.Extract(archive, root, limits, ct);
            // The Dockerfile sits beside the context, as `-f` would name it; a Dockerfile.dockerignore does not apply.
            var dockerfile = Path.Combine(work, "Dockerfile");
            File.Copy(input.DockerfilePath, dockerfile);
            context = BuildContext.Load(root, dockerfile);
            var ignore = new FileInfo(Path.Combine(root, ".dockerignore"));
            if (ignore.Exists && ignore.LinkTarget is null && ignore.Length < 1024 * 1024)
            {
                dockerIgnore = await File.ReadAllLinesAsync(ignore.FullName, ct);
            }
        }

        phase("linting");
        var options = new LintOptions().ForFile(dockerIgnore);
        var lint = new LintReport { FailureThreshold = options.FailureThreshold };
        lint.Files.Add(input.FileName);
        lint.Findings.AddRange(Linter.Lint(document, options, input.FileName));
        ct.ThrowIfCancellationRequested();

        phase("optimising");
        IReadOnlyList<LoggedStep>? log = null;
        if (input.BuildLogPath is { } logPath)
        {
            log = BuildLogDurations.Parse(await File.ReadAllTextAsync(logPath, ct));
        }
        var changes = input.ChangeHistoryPath is { } historyPath ? ChangeHistory.Read(historyPath, "uploaded history") : null;
        var result = Optimizer.Optimize(document, context, buildLog: log, changes: changes);

        MeasurementResult? measured = null;
        if (input.Measure && context.IsKnown)
        {
            phase("measuring rebuilds with buildah");
            measured = await RebuildMeasurement.MeasureAsync(result, builder.Options(Math.Clamp(input.Runs, 1, MaxRuns), work, line => phase("measuring: " + line)), ct);
        }
        return new ReviewOutcome(input.FileName, lint, result, measured) { Context = unpacked };
    }
}
