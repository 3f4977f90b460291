using System.Text.Json.Serialization;

namespace LayerLens.Analyzer.Reports.Schema;

/// <summary>
/// Report schema v1 of a comparison with a baseline (<c>layerlens diff --format json</c> and the service's compare
/// endpoint): what is judged (<c>current</c>) and the <c>baseline</c> block with every delta and the regression verdict.
/// Computed from two schema v1 reports only, so the service never re-reads an image to compare it.
/// </summary>
public sealed record DeltaReport(int SchemaVersion, string Kind, DeltaSubject Current, DeltaBaseline Baseline)
{
    public const string ImageKind = "image";

    public const string DockerfileKind = ReviewReport.DockerfileKind;
}

/// <summary>The image (reference, digest, platform) or Dockerfile (name) a report describes.</summary>
public sealed record DeltaSubject(
    string Name,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Digest,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Platform);

/// <summary>Which analysis is the baseline, as far as the caller knows it (the CLI knows none of these; the service all).</summary>
public sealed record BaselineIdentity(string? Id, string? Commit, string? Branch);

/// <summary>
/// The baseline and the deltas against it. <c>found</c> false: there was nothing to compare with; then only the
/// verdict (the policy's <c>noBaseline</c> rule) is set. <c>image</c> for image reports, <c>findings</c> for reviews.
/// </summary>
public sealed record DeltaBaseline(
    bool Found,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Commit,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Branch,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DeltaSubject? Subject,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ImageDelta? Image,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FindingsDelta? Findings,
    RegressionVerdict Verdict);

/// <summary>A whole-number metric before and after; <c>percent</c> is null when there was nothing before.</summary>
public sealed record CountDelta(long Before, long After, long Change, double? Percent)
{
    public static CountDelta Of(long before, long after) =>
        new(before, after, after - before, before == 0 ? null : Math.Round((after - before) * 100.0 / before, 4));
}

/// <summary>A ratio (efficiency) before and after; <c>change</c> is after − before (negative: it dropped).</summary>
public sealed record RatioDelta(double Before, double After, double Change)
{
    public static RatioDelta Of(double before, double after) => new(before, after, Math.Round(after - before, 6));
}

/// <summary>
/// The image's deltas: sizes, wasted bytes, efficiency, file count; each layer matched by its instruction and position
/// (a layer only one side has has index null on the other), the one that grew most, and the waste items that are
/// new (matched by path and kind) or gone.
/// </summary>
public sealed record ImageDelta(
    CountDelta SizeBytes,
    CountDelta CompressedSizeBytes,
    CountDelta WastedBytes,
    RatioDelta Efficiency,
    CountDelta FileCount,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] LayerDelta? LargestGrowth,
    IReadOnlyList<LayerDelta> Layers,
    IReadOnlyList<ReportWaste> NewWaste,
    IReadOnlyList<ReportWaste> ResolvedWaste);

/// <summary>One layer on both sides (or one): its instruction and sizes; <c>growth</c> is after − before.</summary>
public sealed record LayerDelta(int? BeforeIndex, int? AfterIndex, string? CreatedBy, long BeforeBytes, long AfterBytes, long Growth);

/// <summary>How a finding or waste item relates to the baseline: SARIF's <c>baselineState</c> values.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BaselineState>))]
public enum BaselineState
{
    [JsonStringEnumMemberName("new")] New,
    [JsonStringEnumMemberName("unchanged")] Unchanged,
    [JsonStringEnumMemberName("updated")] Updated,
    [JsonStringEnumMemberName("absent")] Absent,
}

/// <summary>The review's findings against the baseline's: counts per state, then each finding (absent ones as they were).</summary>
public sealed record FindingsDelta(int New, int Unchanged, int Updated, int Absent, IReadOnlyList<FindingDelta> Findings);

/// <summary>
/// One finding and its state. <c>fingerprint</c> does not depend on line numbers (rule, stage, normalised instruction,
/// occurrence); <c>before</c> is the baseline's finding when it differs (updated), <c>finding</c> the baseline's when absent.
/// </summary>
public sealed record FindingDelta(
    BaselineState State,
    string Fingerprint,
    ReviewFinding Finding,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ReviewFinding? Before);

/// <summary>
/// The regression verdict: passed unless a rule failed (a warned rule does not fail it); <c>noBaseline</c> when there
/// was nothing to compare with, and then its one rule says whether that passes.
/// </summary>
public sealed record RegressionVerdict(bool NoBaseline, IReadOnlyList<RegressionRuleResult> Rules)
{
    [JsonPropertyOrder(-1)]
    public bool Passed => Rules.All(r => r.Outcome != RegressionOutcome.Failed);

    [JsonIgnore]
    public IEnumerable<RegressionRuleResult> Failures => Rules.Where(r => r.Outcome == RegressionOutcome.Failed);

    [JsonIgnore]
    public IEnumerable<RegressionRuleResult> Warnings => Rules.Where(r => r.Outcome == RegressionOutcome.Warned);
}

[JsonConverter(typeof(JsonStringEnumConverter<RegressionOutcome>))]
public enum RegressionOutcome
{
    [JsonStringEnumMemberName("passed")] Passed,
    [JsonStringEnumMemberName("warned")] Warned,
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>One regression rule with the values before and after (as text, with units) and its threshold.</summary>
public sealed record RegressionRuleResult(string Rule, RegressionOutcome Outcome, string Before, string After, string Threshold, string Message);
