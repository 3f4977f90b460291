namespace LayerLens.Analyzer.Sarif;

/// <summary>One result, located in one artifact (and a region of it when known).</summary>
public sealed record SarifResult(string RuleId, string Level, string Message, string Uri)
{
    /// <summary>The rule's position in the driver's rules, when the rule is listed there.</summary>
    public int? RuleIndex { get; init; }

    public SarifRegion? Region { get; init; }

    public IReadOnlyList<SarifProperty>? Properties { get; init; }

    /// <summary>partialFingerprints: stable identities (name → value) code scanning matches results by across runs.</summary>
    public IReadOnlyList<SarifProperty>? PartialFingerprints { get; init; }

    /// <summary>baselineState: new, unchanged, updated or absent compared with a baseline run; null without one.</summary>
    public string? BaselineState { get; init; }
}

/// <summary>A region of the artifact: a start line, and columns and an end when the finding has them.</summary>
public sealed record SarifRegion(int StartLine)
{
    public int? StartColumn { get; init; }

    public int? EndLine { get; init; }

    public int? EndColumn { get; init; }
}
