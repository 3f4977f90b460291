using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Reports.Schema;

namespace LayerLens.Analyzer.UseCases.Baselines;

/// <summary>A Dockerfile's name, text and lint findings: what a review comparison needs (the text gives the fingerprints).</summary>
public sealed record ReviewedDockerfile(string Name, string Text, IReadOnlyList<ReviewFinding> Findings)
{
    public static ReviewedDockerfile From(ReviewReport report) => new(report.Dockerfile.Name, report.Dockerfile.Text, report.Findings);

    /// <summary>Findings as the linter returned them, in the report's shape.</summary>
    public static ReviewedDockerfile From(string name, string text, IEnumerable<Finding> findings) => new(name, text,
        [.. findings.Select(f => new ReviewFinding(f.RuleId, f.Severity.ToName(), f.File, f.Line, f.Column, f.EndLine, f.EndColumn, f.Message, f.HadolintId, f.BuildkitCheck))]);
}
