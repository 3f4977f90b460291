using LayerLens.Data.Model.Workspaces;

namespace LayerLens.Data.Model;

/// <summary>
/// One analysis: what was asked for (the request) and where its job stands. What the run found lives in its
/// own table, one row written when the run succeeds: <see cref="Image"/> for an image, <see cref="Review"/> for a
/// Dockerfile review. The full report lives in blob storage, never in a row per file.
/// </summary>
public sealed class Analysis : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid WorkspaceId { get; set; }

    public Guid? ProjectId { get; set; }

    public Project? Project { get; set; }

    // The request.
    public AnalysisKind Kind { get; set; }

    public SourceKind SourceKind { get; set; }

    /// <summary>What the user named: an image reference, an upload's file name, a Dockerfile path.</summary>
    public required string SourceReference { get; set; }

    /// <summary>A display name given at upload (<c>?name=</c>); falls back to the source reference.</summary>
    public string? Name { get; set; }

    /// <summary>Registry image: the os/arch[/variant] asked for; the one found is <see cref="ImageResult.Platform"/>.</summary>
    public string? RequestedPlatform { get; set; }

    /// <summary>sha256 of the uploaded input in the blob store (image tarball or Dockerfile).</summary>
    public string? InputDigest { get; set; }

    /// <summary>The image chosen inside an uploaded archive holding several (skopeo's NAME or @INDEX; an OCI tag).</summary>
    public string? ArchiveImage { get; set; }

    /// <summary>
    /// How the upload is read, as the source prefix the user gave: "docker" (docker-archive:) or "oci" (oci-archive:,
    /// oci:DIR); null when the kind is detected from the contents. A Docker 25+ archive is both, with different tags.
    /// </summary>
    public string? ArchiveKind { get; set; }

    /// <summary>Registry image: credentials, protected with ASP.NET Core Data Protection; never shown back.</summary>
    public string? ProtectedCredentials { get; set; }

    /// <summary>Image analysis: the optional blob of the Dockerfile's text the CI sent, so SARIF results point at the instruction that caused the waste.</summary>
    public string? DockerfileTextDigest { get; set; }

    /// <summary>Dockerfile review: the optional build context blob.</summary>
    public string? BuildContextDigest { get; set; }

    /// <summary>Dockerfile review: the optional build log blob.</summary>
    public string? BuildLogDigest { get; set; }

    /// <summary>Dockerfile review: the optional change history blob (<c>git log --name-only</c> text) that weights change kinds.</summary>
    public string? ChangeHistoryDigest { get; set; }

    /// <summary>Dockerfile review: the user asked to measure rebuilds with buildah, and how many runs per scenario.</summary>
    public bool MeasureRequested { get; set; }

    public int? MeasureRuns { get; set; }

    /// <summary>The Dockerfile's path in the caller's repository (CI), so SARIF locations land on the PR diff.</summary>
    public string? DockerfilePath { get; set; }

    /// <summary>A <c>.dive-ci</c> / <c>layerlens.yaml</c> uploaded with the request; applied after the project's policy.</summary>
    public string? CiConfig { get; set; }

    public DateTime CreatedAtUtc { get; set; } = DateTime.UtcNow;

    // Where in the caller's history it was built (CI), and what it is compared with.
    /// <summary>The version-control branch the analysed image or Dockerfile was built from (<c>--branch</c>, CI variables).</summary>
    public string? Branch { get; set; }

    /// <summary>The commit it was built from.</summary>
    public string? Commit { get; set; }

    /// <summary>The branch whose latest successful analysis is the baseline; null: the project's default branch.</summary>
    public string? BaselineBranch { get; set; }

    /// <summary>An explicit baseline analysis (same workspace) asked for instead of the branch's latest.</summary>
    public Guid? RequestedBaselineId { get; set; }

    /// <summary>The baseline the finished job compared with; null when there was none.</summary>
    public Guid? BaselineId { get; set; }

    /// <summary>True when the verdict failed a regression rule against the baseline (fires <c>verdict.regressed</c>).</summary>
    public bool? VerdictRegressed { get; set; }

    // The job.
    public AnalysisStatus Status { get; set; } = AnalysisStatus.Queued;

    public DateTime? StartedAtUtc { get; set; }

    public DateTime? FinishedAtUtc { get; set; }

    /// <summary>The engine's error message when <see cref="Status"/> is Failed.</summary>
    public string? Error { get; set; }

    /// <summary>Wall time of the analysis itself, without queueing.</summary>
    public long? DurationMilliseconds { get; set; }

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

    // Live progress, persisted so a reload (or another process) sees it.
    public string? ProgressPhase { get; set; }

    public int? ProgressLayersDone { get; set; }

    public int? ProgressLayerCount { get; set; }

    public long? ProgressBytesRead { get; set; }

    public long? ProgressTotalBytes { get; set; }

    /// <summary>The CI verdict of the stored report against the project's policy and <see cref="CiConfig"/> (null until it succeeded).</summary>
    public bool? VerdictPassed { get; set; }

    /// <summary>Failed rule names, space-separated.</summary>
    public string? VerdictFailures { get; set; }

    // The results: at most one of them, present once the analysis succeeded.
    public ImageResult? Image { get; set; }

    public ReviewResult? Review { get; set; }

    public string DisplayName => Name ?? SourceReference;
}
