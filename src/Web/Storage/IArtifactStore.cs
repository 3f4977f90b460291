using LayerLens.Data.Blobs;

namespace LayerLens.Web.Storage;

/// <summary>
/// Everything that outlives a job — uploads and build contexts (blobs by digest, per workspace) and the results of
/// each run (reports, tree file, delta reports) — goes through this store. Two providers: <see cref="LocalArtifactStore"/>
/// (the data directory, the embedded default) and <see cref="Registry.RegistryArtifactStore"/> (an OCI registry several
/// machines share). Every read names the workspace: a provider never hands out an artefact by its digest alone, and
/// every byte read is checked against its digest.
/// </summary>
public interface IArtifactStore
{
    StorageProvider Provider { get; }

    /// <summary>
    /// Streams <paramref name="content"/> into the workspace's blobs while hashing it; throws
    /// <see cref="BlobTooLargeException"/> past <paramref name="maxBytes"/>. The digest returned is the one computed
    /// here and confirmed by the store.
    /// </summary>
    Task<StoredBlob> PutBlobAsync(Guid workspaceId, Stream content, long maxBytes, CancellationToken cancellationToken);

    /// <summary>The workspace's blob, verified while it is read (a mismatch throws at the end), or null when the workspace has none.</summary>
    Task<Stream?> OpenBlobAsync(Guid workspaceId, string digest, CancellationToken cancellationToken);

    /// <summary>The stored size of the workspace's blob (quotas), or null when it has none.</summary>
    Task<long?> BlobLengthAsync(Guid workspaceId, string digest, CancellationToken cancellationToken);

    Task DeleteBlobAsync(Guid workspaceId, string digest, CancellationToken cancellationToken);

    /// <summary>
    /// The blob as a verified file the engine can open, for as long as the lease lives: Local, the store's own file;
    /// Registry, a download into this node's scratch, removed when the last lease on it is disposed.
    /// Throws <see cref="ArtifactMissingException"/> when the workspace has no such blob.
    /// </summary>
    Task<BlobLease> StageBlobAsync(Guid workspaceId, string digest, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the files of one run (flat directory <paramref name="directory"/>) under that run; invisible to readers
    /// until the analysis row names the run. <paramref name="subjectDigest"/>: the analysed image's manifest, when known.
    /// </summary>
    Task PublishRunAsync(RunKey run, string directory, string? subjectDigest, CancellationToken cancellationToken);

    /// <summary>
    /// One result file of the run the row names (<paramref name="runId"/>), as a verified local file for the readers
    /// that need random access (the tree file), or null when there is none.
    /// </summary>
    Task<string?> ResultFileAsync(Guid workspaceId, Guid analysisId, Guid? runId, string fileName, CancellationToken cancellationToken);

    /// <summary>Bytes the run's results take (quotas).</summary>
    Task<long> ResultBytesAsync(Guid workspaceId, Guid analysisId, Guid? runId, CancellationToken cancellationToken);

    /// <summary>Removes the results of every run of the analysis except <paramref name="keepRunId"/> (all when null).</summary>
    Task DropRunsAsync(Guid workspaceId, Guid analysisId, Guid? keepRunId, CancellationToken cancellationToken);

    /// <summary>Removes the results of one run (a run that lost its claim).</summary>
    Task DropRunAsync(RunKey run, CancellationToken cancellationToken);

    /// <summary>Null when the store answers (read and write), else what failed, naming no secret.</summary>
    Task<string?> ProbeAsync(CancellationToken cancellationToken);
}

public enum StorageProvider
{
    Local,
    Registry,
}

/// <summary>One run of one analysis of one workspace: where its results are stored.</summary>
public sealed record RunKey(Guid WorkspaceId, Guid AnalysisId, Guid RunId);

/// <summary>A blob as a local, verified file; disposing it releases the file (a Registry download is removed).</summary>
public sealed class BlobLease(string path, Action? release = null) : IDisposable
{
    private Action? _release = release;

    public string Path { get; } = path;

    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}

/// <summary>The workspace has no such artefact in the store (never stored, deleted, or another workspace's).</summary>
public sealed class ArtifactMissingException(string message) : IOException(message);

/// <summary>The store returned bytes that do not have the digest asked for: refused, never used.</summary>
public sealed class ArtifactIntegrityException(string message) : IOException(message);
