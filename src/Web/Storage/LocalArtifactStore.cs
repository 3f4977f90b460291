using LayerLens.Data.Blobs;
using LayerLens.Data.Durability;

namespace LayerLens.Web.Storage;

/// <summary>
/// The data directory as the store (the embedded default, the behaviour from before the store existed): blobs in the
/// content-addressed <see cref="BlobStore"/> (one copy per digest for the whole server; which workspace may use one
/// is decided by its analysis rows, as before), results under <c>results/{id}/{run}/</c> (<see cref="DataLayout"/>).
/// </summary>
public sealed class LocalArtifactStore(BlobStore blobs, DataLayout layout) : IArtifactStore
{
    public StorageProvider Provider => StorageProvider.Local;

    public Task<StoredBlob> PutBlobAsync(Guid workspaceId, Stream content, long maxBytes, CancellationToken cancellationToken) =>
        blobs.WriteAsync(content, maxBytes, cancellationToken);

    public Task<Stream?> OpenBlobAsync(Guid workspaceId, string digest, CancellationToken cancellationToken) =>
        Task.FromResult(blobs.OpenRead(digest)); // checked against its digest before it is opened

    public Task<long?> BlobLengthAsync(Guid workspaceId, string digest, CancellationToken cancellationToken) =>
        Task.FromResult(new FileInfo(blobs.PathOf(digest)) is { Exists: true } file ? file.Length : (long?)null);

    public Task DeleteBlobAsync(Guid workspaceId, string digest, CancellationToken cancellationToken)
    {
        File.Delete(blobs.PathOf(digest));
        return Task.CompletedTask;
    }

    public Task<BlobLease> StageBlobAsync(Guid workspaceId, string digest, CancellationToken cancellationToken)
    {
        var path = blobs.PathOf(digest);
        return File.Exists(path)
            ? Task.FromResult(new BlobLease(path))
            : throw new ArtifactMissingException($"blob {digest} is not stored (removed by the retention setting?)");
    }

    public Task PublishRunAsync(RunKey run, string directory, string? subjectDigest, CancellationToken cancellationToken)
    {
        var parent = layout.ResultDirectory(run.AnalysisId);
        Directory.CreateDirectory(parent);
        // Every byte is on the disk before the row can point at it, and the rename is too.
        DurableFiles.SyncTree(directory);
        Directory.Move(directory, layout.RunResultDirectory(run.AnalysisId, run.RunId));
        DurableFiles.SyncDirectory(parent);
        return Task.CompletedTask;
    }

    public Task<string?> ResultFileAsync(Guid workspaceId, Guid analysisId, Guid? runId, string fileName, CancellationToken cancellationToken)
    {
        var path = layout.ResultFile(analysisId, runId, fileName);
        return Task.FromResult(File.Exists(path) ? path : null);
    }

    public Task<long> ResultBytesAsync(Guid workspaceId, Guid analysisId, Guid? runId, CancellationToken cancellationToken)
    {
        // The whole results/{id}/ (every run and the rebuild), as the quota counted it before the store existed.
        var results = new DirectoryInfo(layout.ResultDirectory(analysisId));
        return Task.FromResult(results.Exists ? results.EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0L);
    }

    public Task DropRunsAsync(Guid workspaceId, Guid analysisId, Guid? keepRunId, CancellationToken cancellationToken)
    {
        var parent = layout.ResultDirectory(analysisId);
        if (keepRunId is null)
        {
            DeleteEntry(parent);
            return Task.CompletedTask;
        }
        if (Directory.Exists(parent))
        {
            var keep = layout.RunResultDirectory(analysisId, keepRunId.Value);
            foreach (var entry in Directory.EnumerateFileSystemEntries(parent).Where(e => e != keep))
            {
                // What earlier, crashed runs left (and reports of the layout before runs had their own directory).
                DeleteEntry(entry);
            }
        }
        return Task.CompletedTask;
    }

    public Task DropRunAsync(RunKey run, CancellationToken cancellationToken)
    {
        DeleteEntry(layout.RunResultDirectory(run.AnalysisId, run.RunId));
        return Task.CompletedTask;
    }

    public async Task<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        var probe = Path.Combine(Path.GetDirectoryName(layout.ResultsRoot)!, $".healthz-{Guid.NewGuid():N}");
        try
        {
            await File.WriteAllBytesAsync(probe, [1], cancellationToken);
            File.Delete(probe);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "the data directory does not take a write";
        }
    }

    private static void DeleteEntry(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }
            else if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Removed by another cleaner at the same time.
        }
    }
}
