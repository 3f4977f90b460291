namespace LayerLens.Analyzer.Dockerfiles.Linting;

/// <summary>
/// A lint rule: stable LayerLens id, default severity, documentation (why it matters, how to fix, before/after)
/// and the equivalent hadolint id and BuildKit check name where one exists.
/// </summary>
public sealed class RuleDefinition
{
    public required string Id { get; init; }

    public required string Title { get; init; }

    public required Severity Severity { get; init; }

    public string? HadolintId { get; init; }

    public string? BuildkitCheck { get; init; }

    public required string Why { get; init; }

    public required string Fix { get; init; }

    public required string Before { get; init; }

    public required string After { get; init; }

    public required Action<LintContext, RuleDefinition> Check { get; init; }

    /// <summary>Documentation text as one Markdown block (used by SARIF help and the docs).</summary>
    public string Documentation =>
        $"{Title}\n\nWhy: {Why}\n\nFix: {Fix}\n\nBefore:\n```dockerfile\n{Before}\n```\n\nAfter:\n```dockerfile\n{After}\n```\n";

    /// <summary>True when <paramref name="id"/> names this rule by any of its ids.</summary>
    public bool IsNamed(string id) =>
        string.Equals(id, Id, StringComparison.OrdinalIgnoreCase)
        || (HadolintId != null && string.Equals(id, HadolintId, StringComparison.OrdinalIgnoreCase))
        || (BuildkitCheck != null && string.Equals(id, BuildkitCheck, StringComparison.Ordinal));
}
