using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Dockerfiles.Linting.Reports;
using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Analyzer.Reports.Verdicts;

namespace LayerLens.Analyzer.UseCases.DockerfileReviews;

/// <summary>
/// The verdict of a Dockerfile review, decided here once for the report and the job's row: the lint's own failure
/// threshold, unless a policy's <c>maxLintSeverity</c> replaces it (they decide the same thing), joined by the
/// policy's other failures.
/// </summary>
public static class DockerfileReviewVerdict
{
    public const string PolicyRule = "maxLintSeverity";

    public const string ThresholdRule = "failureThreshold";

    /// <summary>The lint's threshold and the policy as one verdict.</summary>
    public static Verdict Decide(LintReport lint, Verdict? policy)
    {
        policy ??= Verdict.None;
        var threshold = LintDecides(policy) && !lint.Passed
            ? new Verdict([new RuleResult(ThresholdRule, false, "", lint.FailureThreshold?.ToName() ?? "", "lint findings at or above the failure threshold")])
            : Verdict.None;
        return new Verdict([.. threshold.Rules, .. policy.Rules]);
    }

    /// <summary>The verdict as the report writes it: each failing finding as file:line rule message, then the policy's failures.</summary>
    public static ReviewVerdict ForReport(LintReport lint, Verdict? policy)
    {
        policy ??= Verdict.None;
        var lintDecides = LintDecides(policy);
        return new ReviewVerdict(
            (!lintDecides || lint.Passed) && policy.Passed,
            lint.FailureThreshold?.ToName() ?? "none",
            [
                .. (lintDecides ? lint.Failures : []).Select(f => $"{f.File}:{f.Line} {f.RuleId} {f.Message}"),
                .. policy.Failures.Select(f => $"{f.Rule}: {f.Message}"),
            ]);
    }

    private static bool LintDecides(Verdict policy) => !policy.Rules.Any(r => r.Rule == PolicyRule);
}
