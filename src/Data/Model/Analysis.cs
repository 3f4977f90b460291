using LayerLens.Data.Model.Workspaces;

namespace LayerLens.Data.Model;

/// <summary>
/// One analysis run. Summary numbers are columns so lists and trends can be queried;
/// the full report lives in blob storage, never in a row per file.
/// </summary>
public sealed class Analysis : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid WorkspaceId { get; set; }

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

    /// <summary>A display name given at upload (<c>?name=</c>); falls back to the source reference.</summary>
    public string? Name { get; set; }

    /// <summary>os/arch[/variant] asked for (registry) or found (image).</summary>
    public string? Platform { get; set; }

    /// <summary>sha256 of the uploaded input in the blob store (image tarball or Dockerfile).</summary>
    public string? InputDigest { get; set; }

    /// <summary>The image chosen inside an uploaded archive holding several (skopeo's NAME or @INDEX; an OCI tag).</summary>
    public string? ArchiveImage { get; set; }

    /// <summary>
    /// How the upload is read, as the source prefix the user gave: "docker" (docker-archive:) or "oci" (oci-archive:,
    /// oci:DIR); null when the kind is detected from the contents. A Docker 25+ archive is both, with different tags.
    /// </summary>
    public string? ArchiveKind { get; set; }

    /// <summary>
    /// Dockerfile review: the optional build context blob. Image analysis: the optional blob of the Dockerfile's
    /// text the CI sent with the image, so SARIF results point at the instruction that caused the waste.
    /// </summary>
    public string? ContextDigest { get; set; }

    /// <summary>Dockerfile review: the optional build log blob.</summary>

    public string? BuildLogDigest { get; set; }

    /// <summary>Dockerfile review: the optional change history blob (<c>git log --name-only</c> text) that weights change kinds.</summary>
    public string? ChangeHistoryDigest { get; set; }

    /// <summary>Registry credentials, protected with ASP.NET Core Data Protection; never shown back.</summary>
    public string? ProtectedCredentials { get; set; }

    public long? CompressedSizeBytes { get; set; }

    public int? FileCount { get; set; }

    public int? WasteItemCount { get; set; }

    public int? ErrorFindingCount { get; set; }

    public int? WarningFindingCount { get; set; }

    public int? InfoFindingCount { get; set; }

    public int? StyleFindingCount { get; set; }

    /// <summary>Dockerfile review: the user asked to measure rebuilds with buildah, and how many runs per scenario.</summary>
    public bool MeasureRequested { get; set; }

    public int? MeasureRuns { get; set; }

    /// <summary>Dockerfile review: the cost model's expected rebuild seconds per change, original and recommended.</summary>
    public double? ExpectedOriginalSeconds { get; set; }

    public double? ExpectedRecommendedSeconds { get; set; }

    /// <summary>Dockerfile review with measurement: source-edit rebuild seconds saved (original − recommended median).</summary>
    public double? MeasuredSavingSeconds { get; set; }

    /// <summary>Dockerfile review with measurement: both builds gave the same filesystem and configuration.</summary>
    public bool? MeasuredEquivalent { get; set; }

    /// <summary>Dockerfile review: how many rewrites (not advice) the recommendation makes.</summary>
    public int? ChangeCount { get; set; }

    /// <summary>Wall time of the analysis itself, without queueing.</summary>
    public long? DurationMilliseconds { get; set; }

    // Live progress, persisted so a reload (or another process) sees it.
    public string? ProgressPhase { get; set; }

    public int? ProgressLayersDone { get; set; }

    public int? ProgressLayerCount { get; set; }

    public long? ProgressBytesRead { get; set; }

    public long? ProgressTotalBytes { get; set; }

    /// <summary>How many times a job claimed this analysis (retries and crash recoveries).</summary>
    public int Attempts { get; set; }

    /// <summary>The job run that holds the analysis while Running; only it may store a result.</summary>
    public Guid? RunId { get; set; }

    /// <summary>
    /// Refreshed by the running job every few hundred milliseconds: a Running analysis whose heartbeat
    /// went stale lost its process, wherever that process ran.
    /// </summary>
    public DateTime? HeartbeatAtUtc { get; set; }

    public bool CancelRequested { get; set; }

    /// <summary>The Dockerfile's path in the caller's repository (CI), so SARIF locations land on the PR diff.</summary>
    public string? DockerfilePath { get; set; }

    /// <summary>A <c>.dive-ci</c> / <c>layerlens.yaml</c> uploaded with the request; applied after the project's policy.</summary>
    public string? CiConfig { get; set; }

    /// <summary>The CI verdict of the stored report (null until it succeeded).</summary>
    public bool? VerdictPassed { get; set; }

    /// <summary>Failed rule names, space-separated.</summary>
    public string? VerdictFailures { get; set; }

    public string DisplayName => Name ?? SourceReference;
}
