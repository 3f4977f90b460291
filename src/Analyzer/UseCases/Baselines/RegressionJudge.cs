using System.Globalization;
using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.UseCases.Baselines;

/// <summary>
/// The regression verdict of a delta under a <see cref="RegressionPolicy"/>: one result per enabled rule, with the
/// values before and after. Only these rules decide it — the absolute thresholds are the analysis's own verdict.
/// </summary>
public static class RegressionJudge
{
    public const string NoBaselineRule = "noBaseline";

    public static RegressionVerdict Judge(ImageDelta delta, RegressionPolicy policy)
    {
        var rules = new List<RegressionRuleResult>();
        if (policy.MaxSizeIncreaseBytes is { } maxBytes)
        {
            rules.Add(Bytes("maxSizeIncreaseBytes", "image size", delta.SizeBytes, maxBytes));
        }
        if (policy.MaxSizeIncreasePercent is { } maxPercent)
        {
            var size = delta.SizeBytes;
            // Growth from nothing is an infinite percentage: it fails any limit.
            var percent = size.Percent ?? (size.Change > 0 ? double.PositiveInfinity : 0);
            var passed = percent <= maxPercent;
            var shown = double.IsInfinity(percent) ? "∞%" : Percent(percent);
            rules.Add(new RegressionRuleResult("maxSizeIncreasePercent", Outcome(passed), ByteSize.Format(size.Before), ByteSize.Format(size.After),
                "+" + Percent(maxPercent), passed
                    ? $"image size changed by {Signed(percent, shown)}, within +{Percent(maxPercent)}"
                    : $"image size grew by {shown} ({ByteSize.Format(size.Before)} → {ByteSize.Format(size.After)}), more than +{Percent(maxPercent)}"));
        }
        if (policy.MaxWastedIncreaseBytes is { } maxWasted)
        {
            rules.Add(Bytes("maxWastedIncreaseBytes", "wasted bytes", delta.WastedBytes, maxWasted));
        }
        if (policy.MaxEfficiencyDrop is { } maxDrop)
        {
            var e = delta.Efficiency;
            var drop = e.Before - e.After;
            // Rounded to the precision the report shows, so 1e-12 of float noise does not fail a zero limit.
            var passed = Math.Round(drop, 6) <= maxDrop;
            rules.Add(new RegressionRuleResult("maxEfficiencyDrop", Outcome(passed), ByteSize.Percent(e.Before), ByteSize.Percent(e.After),
                "-" + ByteSize.Percent(maxDrop), passed
                    ? $"efficiency {ByteSize.Percent(e.Before)} → {ByteSize.Percent(e.After)}, within a drop of {ByteSize.Percent(maxDrop)}"
                    : $"efficiency dropped from {ByteSize.Percent(e.Before)} to {ByteSize.Percent(e.After)}, more than {ByteSize.Percent(maxDrop)}"));
        }
        if (policy.NewWaste != RegressionAction.Off)
        {
            var count = delta.NewWaste.Count;
            var bytes = delta.NewWaste.Sum(w => w.Bytes);
            var before = delta.WastedBytes;
            rules.Add(new RegressionRuleResult("newWaste", count == 0 ? RegressionOutcome.Passed : Broken(policy.NewWaste),
                ByteSize.Format(before.Before), ByteSize.Format(before.After), "no new waste items",
                count == 0 ? "no new waste items"
                    : $"{count} new waste item(s), {ByteSize.Format(bytes)}: " + string.Join(", ", delta.NewWaste.Take(3).Select(w => $"/{w.Path} ({w.Kind.ToReportName()}, {ByteSize.Format(w.Bytes)})"))
                      + (count > 3 ? ", …" : "")));
        }
        return new RegressionVerdict(false, rules);
    }

    public static RegressionVerdict Judge(FindingsDelta delta, RegressionPolicy policy)
    {
        var rules = new List<RegressionRuleResult>();
        if (policy.NewFindings != RegressionAction.Off)
        {
            var at = policy.NewFindingsSeverity;
            bool Counts(ReviewFinding f) => SeverityNames.TryParse(f.Severity, out var s) && s >= at;
            // An updated finding whose severity rose to the threshold is as new at that severity as a new one.
            var fresh = delta.Findings.Where(f => Counts(f.Finding)
                && (f.State == BaselineState.New || f.State == BaselineState.Updated && f.Before is { } was && !Counts(was))).ToList();
            var before = delta.Findings.Count(f => f.State is BaselineState.Unchanged or BaselineState.Updated or BaselineState.Absent && Counts(f.Before ?? f.Finding));
            var after = delta.Findings.Count(f => f.State != BaselineState.Absent && Counts(f.Finding));
            rules.Add(new RegressionRuleResult("newFindings", fresh.Count == 0 ? RegressionOutcome.Passed : Broken(policy.NewFindings),
                Count(before, at), Count(after, at), $"no new {at.ToName()} or worse",
                fresh.Count == 0 ? $"no new findings at {at.ToName()} or worse"
                    : $"{fresh.Count} new finding(s) at {at.ToName()} or worse: "
                      + string.Join("; ", fresh.Take(3).Select(f => $"{f.Finding.File}:{f.Finding.Line} {f.Finding.RuleId} {f.Finding.Message}"))
                      + (fresh.Count > 3 ? "; …" : "")));
        }
        return new RegressionVerdict(false, rules);
    }

    /// <summary>Nothing to compare with: a verdict of one rule that passes or fails as the policy says, never an error.</summary>
    public static RegressionVerdict NoBaseline(RegressionPolicy policy, BaselineIdentity? wanted = null)
    {
        var which = wanted switch
        {
            { Id: { Length: > 0 } id } => $" (baseline {id} not found)",
            { Branch: { Length: > 0 } branch } => $" (no successful analysis on branch {branch})",
            _ => "",
        };
        var outcome = policy.FailWithoutBaseline ? RegressionOutcome.Failed : RegressionOutcome.Passed;
        return new RegressionVerdict(true, [new RegressionRuleResult(NoBaselineRule, outcome, "none", "–", policy.FailWithoutBaseline ? "fail" : "pass",
            $"no baseline to compare with{which}: {(policy.FailWithoutBaseline ? "the policy fails a change without one" : "nothing is judged as a regression")}")]);
    }

    private static RegressionRuleResult Bytes(string rule, string what, CountDelta value, long max)
    {
        var passed = value.Change <= max;
        return new RegressionRuleResult(rule, Outcome(passed), ByteSize.Format(value.Before), ByteSize.Format(value.After), "+" + ByteSize.Format(max),
            passed
                ? $"{what} changed by {SignedBytes(value.Change)}, within +{ByteSize.Format(max)}"
                : $"{what} grew by {ByteSize.Format(value.Change)} ({ByteSize.Format(value.Before)} → {ByteSize.Format(value.After)}), more than +{ByteSize.Format(max)}");
    }

    private static RegressionOutcome Outcome(bool passed) => passed ? RegressionOutcome.Passed : RegressionOutcome.Failed;

    private static RegressionOutcome Broken(RegressionAction action) => action == RegressionAction.Fail ? RegressionOutcome.Failed : RegressionOutcome.Warned;

    private static string Count(int findings, Severity at) => $"{findings} at {at.ToName()}+";

    private static string Percent(double percent) => percent.ToString("0.##", CultureInfo.InvariantCulture) + "%";

    private static string Signed(double percent, string shown) => percent >= 0 ? "+" + shown : shown;

    private static string SignedBytes(long bytes) => bytes >= 0 ? "+" + ByteSize.Format(bytes) : "-" + ByteSize.Format(-bytes);
}
