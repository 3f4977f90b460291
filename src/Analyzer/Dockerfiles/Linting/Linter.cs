using LayerLens.Analyzer.Dockerfiles.Model;

namespace LayerLens.Analyzer.Dockerfiles.Linting;

/// <summary>Runs every rule over a document, then applies pragmas, configuration and severity overrides.</summary>
public static class Linter
{
    public static List<Finding> Lint(DockerfileDocument document, LintOptions options, string file)
    {
        var context = new LintContext(document, options);
        var ignoring = options.Ignored.Count > 0;
        foreach (var rule in RuleCatalog.All)
        {
            if (ignoring && options.Ignored.Any(rule.IsNamed))
            {
                continue;
            }
            rule.Check(context, rule);
        }
        var suppressions = Suppressions.Read(document);
        var findings = new List<Finding>(context.Raw.Count);
        foreach (var (rule, range, message) in context.Raw)
        {
            if (suppressions.IsSuppressed(rule, range.StartLine))
            {
                continue;
            }
            var severity = suppressions.ChecksAreErrors && rule.BuildkitCheck != null ? Severity.Error : rule.Severity;
            if (options.Overrides.Count > 0)
            {
                foreach (var (id, overridden) in options.Overrides)
                {
                    if (rule.IsNamed(id))
                    {
                        severity = overridden;
                    }
                }
            }
            findings.Add(new Finding(rule.Id, severity, file, range.StartLine, range.StartColumn, range.EndLine, range.EndColumn, message, rule.HadolintId, rule.BuildkitCheck));
        }
        findings.Sort((a, b) => a.Line != b.Line ? a.Line.CompareTo(b.Line) : a.Column != b.Column ? a.Column.CompareTo(b.Column) : string.CompareOrdinal(a.RuleId, b.RuleId));
        if (!options.Fingerprints)
        {
            return findings;
        }
        var fingerprints = FindingFingerprints.Compute(document, [.. findings.Select(f => new FindingLocation(f.RuleId, f.Line, f.Column))]);
        for (var i = 0; i < findings.Count; i++)
        {
            findings[i] = findings[i] with { Fingerprint = fingerprints[i] };
        }
        return findings;
    }

    /// <summary>True when some finding reaches the failure threshold.</summary>
    public static bool Fails(IEnumerable<Finding> findings, LintOptions options) =>
        options.FailureThreshold is { } threshold && findings.Any(f => f.Severity >= threshold);
}
