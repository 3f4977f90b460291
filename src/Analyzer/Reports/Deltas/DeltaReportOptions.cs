namespace LayerLens.Analyzer.Reports.Deltas;

/// <summary>What a delta report may add: the service's Compare page for the two analyses (Markdown links to it).</summary>
public sealed record DeltaReportOptions(string? CompareUrl = null)
{
    public static DeltaReportOptions None { get; } = new();
}
