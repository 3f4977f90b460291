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
    string? BuildkitCheck)
{
    /// <summary>The <see cref="FindingFingerprints"/> fingerprint: the same for the same finding on any line.</summary>
    public string? Fingerprint { get; init; }
}
