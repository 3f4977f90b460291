namespace LayerLens.Analyzer.Reports.Verdicts;

/// <summary>One CI rule as evaluated against an analysis.</summary>
public sealed record RuleResult(string Rule, bool Passed, string Actual, string Threshold, string Message);

/// <summary>The CI verdict: every rule evaluated; failed when any rule failed.</summary>
public sealed record Verdict(IReadOnlyList<RuleResult> Rules)
{
    public static Verdict None { get; } = new([]);

    public bool Passed => Rules.All(r => r.Passed);

    public IEnumerable<RuleResult> Failures => Rules.Where(r => !r.Passed);
}
