using LayerLens.Analyzer.Reports.Verdicts;

namespace LayerLens.Web.Verdicts;

/// <summary>
/// The CI rules of one analysis: none unless its project has a policy or the request carried a
/// <c>.dive-ci</c> / <c>layerlens.yaml</c>; then dive's defaults overridden by the project's policy and then
/// by the uploaded file, as <c>layerlens analyze --ci --ci-config</c> does.
/// </summary>
public static class ServicePolicy
{
    public const int MaxBytes = 64 * 1024;

    public static CiRules? Rules(string? projectPolicy, string? ciConfig)
    {
        if (string.IsNullOrWhiteSpace(projectPolicy) && string.IsNullOrWhiteSpace(ciConfig))
        {
            return null;
        }
        var rules = CiRules.DiveDefaults;
        if (!string.IsNullOrWhiteSpace(projectPolicy))
        {
            rules = rules.Apply(projectPolicy, "project policy");
        }
        if (!string.IsNullOrWhiteSpace(ciConfig))
        {
            rules = rules.Apply(ciConfig, "uploaded CI configuration");
        }
        return rules;
    }

    /// <summary>Refuses a configuration that does not parse, with the file's message (name, key, value).</summary>
    public static void Validate(string? yaml, string what)
    {
        if (yaml is { Length: > MaxBytes })
        {
            throw new CiConfigException($"{what}: larger than {MaxBytes / 1024} KiB");
        }
        if (!string.IsNullOrWhiteSpace(yaml))
        {
            CiRules.DiveDefaults.Apply(yaml, what);
            // Its regression: section too, so a typo there is refused now, not when a job applies it.
            RegressionPolicy.Default.Apply(yaml, what);
        }
    }

    public static Verdict Combine(params Verdict[] verdicts) => new([.. verdicts.SelectMany(v => v.Rules)]);
}
