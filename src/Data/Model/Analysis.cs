namespace LayerLens.Data.Model;

/// <summary>
/// One analysis run. Summary numbers are columns so lists and trends can be queried;
/// the full report lives in blob storage, never in a row per file.
/// </summary>
public sealed class Analysis
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid? ProjectId { get; set; }

    public Project? Project { get; set; }

    public AnalysisKind Kind { get; set; }

    public SourceKind SourceKind { get; set; }

    /// <summary>What the user named: an image reference, an upload's file name, a Dockerfile path.</summary>
    public required string SourceReference { get; set; }

    public AnalysisStatus Status { get; set; } = AnalysisStatus.Queued;

    public DateTime CreatedAtUtc { get; set; } = DateTime.UtcNow;

    public DateTime? StartedAtUtc { get; set; }

    public DateTime? FinishedAtUtc { get; set; }

    /// <summary>The engine's error message when <see cref="Status"/> is Failed.</summary>
    public string? Error { get; set; }

    /// <summary>Manifest digest of the analysed image (sha256:…), when known.</summary>
    public string? ImageDigest { get; set; }

    public long? SizeBytes { get; set; }

    public long? FinalBytes { get; set; }

    public long? WastedBytes { get; set; }

    public long? DuplicateBytes { get; set; }

    public double? Efficiency { get; set; }

    public int? LayerCount { get; set; }

    public int? FindingCount { get; set; }
}
