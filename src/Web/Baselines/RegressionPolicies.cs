using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Analyzer.Reports.Verdicts;

namespace LayerLens.Web.Baselines;

/// <summary>
/// The regression policy of one analysis and how its verdict joins the absolute one. The project's stored JSON policy
/// (the policy API) if it has one, else the <c>regression:</c> section of the project's YAML policy; then the
/// <c>regression:</c> section of the request's own <c>layerlens.yaml</c> overrides what it sets, as for the thresholds.
/// </summary>
public static class RegressionPolicies
{
    public static RegressionPolicy For(string? storedJson, string? projectYaml, string? ciConfig)
    {
        var policy = !string.IsNullOrWhiteSpace(storedJson)
            ? RegressionPolicyJson.Parse(storedJson, "project regression policy").ToPolicy("project regression policy")
            : string.IsNullOrWhiteSpace(projectYaml) ? RegressionPolicy.Default : RegressionPolicy.Default.Apply(projectYaml, "project policy");
        return string.IsNullOrWhiteSpace(ciConfig) ? policy : policy.Apply(ciConfig, "uploaded CI configuration");
    }

    /// <summary>
    /// The regression rules as CI rules, so the analysis' verdict, its reports and its webhooks list them with the
    /// absolute ones: a failed rule fails, a warned one passes with its warning in the message.
    /// </summary>
    public static Verdict AsVerdict(RegressionVerdict verdict) => new([.. verdict.Rules.Select(r => new RuleResult(
        r.Rule,
        r.Outcome != RegressionOutcome.Failed,
        $"{r.Before} → {r.After}",
        r.Threshold,
        r.Outcome == RegressionOutcome.Warned ? "warning: " + r.Message : r.Message))]);

    /// <summary>A regression: compared with a baseline, and a regression rule failed (no baseline is not one).</summary>
    public static bool Regressed(DeltaReport delta) => delta.Baseline.Found && !delta.Baseline.Verdict.Passed;
}
