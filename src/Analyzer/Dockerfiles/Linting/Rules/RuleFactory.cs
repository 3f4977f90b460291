namespace LayerLens.Analyzer.Dockerfiles.Linting.Rules;

/// <summary>Compact construction of rule definitions.</summary>
internal static class RuleFactory
{
    public static bool IsAllLower(string s) => !s.Any(char.IsUpper);

    public static bool IsAllUpper(string s) => !s.Any(char.IsLower);

    public static RuleDefinition Rule(string id, Severity severity, string? hadolint, string? buildkit, string title,
        string why, string fix, string before, string after, Action<LintContext, RuleDefinition> check) => new()
        {
            Id = id,
            Severity = severity,
            HadolintId = hadolint,
            BuildkitCheck = buildkit,
            Title = title,
            Why = why,
            Fix = fix,
            Before = before,
            After = after,
            Check = check,
        };
}
