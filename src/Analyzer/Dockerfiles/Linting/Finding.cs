namespace LayerLens.Analyzer.Dockerfiles.Linting;

/// <summary>One lint finding with its precise location and the equivalent hadolint id / BuildKit check.</summary>
public sealed record Finding(
    string RuleId,
    Severity Severity,
    string File,
    int Line,
    int Column,
    int EndLine,
    int EndColumn,
    string Message,
    string? HadolintId,
    string? BuildkitCheck);
