namespace LayerLens.Web.Analyses;

/// <summary>
/// A Dockerfile review as the API received it: the Dockerfile's bytes (small, bounded) and the digests of the
/// context archive and build log already streamed into the blob store.
/// </summary>
public sealed record DockerfileSubmission(
    byte[] Dockerfile,
    string? FileName,
    string? BuildContextDigest,
    string? BuildLogDigest,
    string? Name,
    string? Project,
    bool Measure,
    int? Runs)
{
    /// <summary>CI extras: the Dockerfile's repository path and an uploaded CI configuration.</summary>
    public CiRequest Ci { get; init; } = CiRequest.None;

    /// <summary>The 'history' part (git log --name-only text) already in the blob store, weighting change kinds.</summary>
    public string? ChangeHistoryDigest { get; init; }

    /// <summary>Set when the multipart body carried an 'image' tarball: an image analysis, the Dockerfile only for SARIF.</summary>
    public string? ImageUploadDigest { get; init; }

    /// <summary>With <see cref="ImageUploadDigest"/>: the image chosen inside an archive of several (NAME or @INDEX, an OCI tag).</summary>
    public string? ArchiveImage { get; init; }

    /// <summary>With <see cref="ImageUploadDigest"/>: "docker" or "oci", how the archive is read; null to detect it.</summary>
    public string? ArchiveKind { get; init; }
}
