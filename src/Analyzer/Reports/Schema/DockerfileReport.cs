using System.Text.Json.Serialization;

namespace LayerLens.Analyzer.Reports.Schema;

/// <summary>
/// Report schema v1 of a Dockerfile review: the lint <c>findings</c> and <c>verdict</c>, what the uploaded context
/// unpacked to, then the fields of <c>optimize --format json</c>. Written by the review use case, read by the review page.
/// </summary>
public sealed record ReviewReport(
    int SchemaVersion,
    string Kind,
    ReviewDockerfile Dockerfile,
    IReadOnlyList<ReviewFinding> Findings,
    ReviewVerdict Verdict,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ReviewContext? Context,
    IReadOnlyList<ReviewChange> Changes,
    string RecommendedDockerfile,
    string Diff,
    bool Withheld,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RejectedDockerfile,
    ReviewExpected Expected,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ReviewMeasured? Measured)
{
    public const string DockerfileKind = "dockerfile";

    /// <summary>The review of an optimisation report: its fields after the review's own.</summary>
    public static ReviewReport From(
        ReviewDockerfile dockerfile, IReadOnlyList<ReviewFinding> findings, ReviewVerdict verdict, ReviewContext? context, OptimizeReportJson optimisation) => new(
        ImageReport.Version, DockerfileKind, dockerfile, findings, verdict, context,
        optimisation.Changes, optimisation.RecommendedDockerfile, optimisation.Diff, optimisation.Withheld, optimisation.RejectedDockerfile,
        optimisation.Expected, optimisation.Measured);
}

/// <summary>What <c>layerlens optimize --format json</c> writes (schema v1).</summary>
public sealed record OptimizeReportJson(
    int SchemaVersion,
    IReadOnlyList<ReviewChange> Changes,
    string RecommendedDockerfile,
    string Diff,
    bool Withheld,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RejectedDockerfile,
    ReviewExpected Expected,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ReviewMeasured? Measured);

public sealed record ReviewDockerfile(string Name, string Text);

public sealed record ReviewFinding(
    string RuleId, string Severity, string File, int Line, int Column, int EndLine, int EndColumn, string Message, string? HadolintId, string? BuildkitCheck);

/// <summary>The review's verdict: passed, the lint's failure threshold, and each failure as one line of text.</summary>
public sealed record ReviewVerdict(bool Passed, string FailureThreshold, IReadOnlyList<string> Failures);

/// <summary>What the uploaded build context unpacked to; the version-control entries (.git, …) were left out.</summary>
public sealed record ReviewContext(int Entries, long ExpandedBytes, int VersionControlEntriesLeftOut);

public sealed record ReviewChange(
    string Kind, int Line, string Message, bool Advice, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Example);

/// <summary>The cost model's expectation; the per-step arrays are absent from reports written before they existed.</summary>
public sealed record ReviewExpected(
    double OriginalSeconds,
    double RecommendedSeconds,
    string? Weights,
    string? Durations,
    IReadOnlyList<ReviewStep>? OriginalSteps = null,
    IReadOnlyList<ReviewStep>? RecommendedSteps = null);

public sealed record ReviewScenario(
    string Name,
    double OriginalSeconds,
    double RecommendedSeconds,
    int Runs,
    int OriginalCachedSteps,
    int RecommendedCachedSteps,
    IReadOnlyList<ReviewStep>? OriginalSteps = null,
    IReadOnlyList<ReviewStep>? RecommendedSteps = null);

/// <summary>One build step's seconds (its Dockerfile line and instruction); <c>Cached</c> only when measured.</summary>
public sealed record ReviewStep(
    int Line, string Instruction, double Seconds, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Cached = null);

public sealed record ReviewMeasured(
    IReadOnlyList<ReviewScenario> Scenarios,
    bool Equivalent,
    IReadOnlyList<string> Differences,
    IReadOnlyList<string> Failures,
    IReadOnlyList<string> Notes);
