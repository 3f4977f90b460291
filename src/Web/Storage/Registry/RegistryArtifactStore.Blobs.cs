using System.Collections.Concurrent;
using LayerLens.Analyzer.Images.Registry;
using LayerLens.Data.Blobs;

namespace LayerLens.Web.Storage.Registry;

/// <summary>Blobs: uploads, Dockerfiles, build contexts, logs and histories in the workspace's <c>uploads</c> repository.</summary>
public sealed partial class RegistryArtifactStore
{
    private const string Uploads = "uploads";
    private readonly Dictionary<string, Staged> _staged = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(Guid, string), long> _lengths = new();

    public async Task<StoredBlob> PutBlobAsync(Guid workspaceId, Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        // Streamed: the request body goes through the hash straight into the registry's upload session.
        var hashing = new DigestingStream(content, maxBytes, leaveOpen: true);
        using var registry = Open(Repository(workspaceId, Uploads));
        string digest;
        try
        {
            digest = await registry.UploadStreamAsync(hashing, () => hashing.Digest, cancellationToken);
        }
        catch (Exception) when (hashing.TooLarge)
        {
            throw new BlobTooLargeException(maxBytes);
        }
        // The registry said it stored those bytes under that digest; its size must be what was read too.
        var stored = await registry.BlobSizeAsync(digest, cancellationToken);
        if (stored != hashing.BytesRead)
        {
            throw new ArtifactIntegrityException($"the store holds {stored?.ToString("N0") ?? "no"} bytes for upload {digest}, {hashing.BytesRead:N0} were sent");
        }
        _lengths[(workspaceId, digest)] = hashing.BytesRead;
        return new StoredBlob(digest, hashing.BytesRead);
    }

    public async Task<Stream?> OpenBlobAsync(Guid workspaceId, string digest, CancellationToken cancellationToken)
    {
        CheckDigest(digest);
        using var registry = Open(Repository(workspaceId, Uploads));
        if (await registry.BlobSizeAsync(digest, cancellationToken) is not { } size)
        {
            return null;
        }
        var body = await registry.OpenBlobStreamAsync(digest, size, cancellationToken);
        return new DigestingStream(body, long.MaxValue, digest, size, $"blob {digest}");
    }

    public async Task<long?> BlobLengthAsync(Guid workspaceId, string digest, CancellationToken cancellationToken)
    {
        CheckDigest(digest);
        if (_lengths.TryGetValue((workspaceId, digest), out var known))
        {
            return known;
        }
        using var registry = Open(Repository(workspaceId, Uploads));
        var length = await registry.BlobSizeAsync(digest, cancellationToken);
        if (length is { } found)
        {
            _lengths[(workspaceId, digest)] = found;
        }
        return length;
    }

    public async Task DeleteBlobAsync(Guid workspaceId, string digest, CancellationToken cancellationToken)
    {
        CheckDigest(digest);
        _lengths.TryRemove((workspaceId, digest), out _);
        using var registry = Open(Repository(workspaceId, Uploads));
        await registry.DeleteBlobAsync(digest, cancellationToken);
    }

    /// <summary>
    /// Downloads the blob from the workspace's repository into this node's blob directory (verified as it is
    /// written) and hands out its path until the last lease on it is disposed; then the copy is deleted. Jobs of
    /// several workspaces may stage the same digest: each proves its own repository holds it before it gets a lease.
    /// </summary>
    public async Task<BlobLease> StageBlobAsync(Guid workspaceId, string digest, CancellationToken cancellationToken)
    {
        CheckDigest(digest);
        using (var registry = Open(Repository(workspaceId, Uploads)))
        {
            if (await registry.BlobSizeAsync(digest, cancellationToken) is null)
            {
                throw new ArtifactMissingException($"blob {digest} is not stored for this workspace (deleted, or never uploaded here)");
            }
        }
        Staged entry;
        lock (_staged)
        {
            if (!_staged.TryGetValue(digest, out entry!))
            {
                entry = new Staged();
                _staged[digest] = entry;
                entry.Ready = DownloadAsync(workspaceId, digest, cancellationToken);
            }
            entry.Leases++;
        }
        try
        {
            await entry.Ready;
        }
        catch
        {
            Release(digest, entry);
            throw;
        }
        return new BlobLease(_scratch.PathOf(digest), () => Release(digest, entry));
    }

    private async Task DownloadAsync(Guid workspaceId, string digest, CancellationToken cancellationToken)
    {
        await using var stream = await OpenBlobAsync(workspaceId, digest, cancellationToken)
            ?? throw new ArtifactMissingException($"blob {digest} is not stored for this workspace");
        // The stream throws at its end when the bytes are not the digest's: BlobStore then keeps nothing.
        var written = await _scratch.WriteAsync(stream, long.MaxValue, cancellationToken);
        if (written.Digest != digest)
        {
            throw new ArtifactIntegrityException($"blob {digest}: the store sent bytes with digest {written.Digest}; refused");
        }
    }

    private void Release(string digest, Staged entry)
    {
        lock (_staged)
        {
            if (--entry.Leases > 0 || !_staged.TryGetValue(digest, out var current) || current != entry)
            {
                return;
            }
            _staged.Remove(digest);
        }
        try
        {
            File.Delete(_scratch.PathOf(digest));
        }
        catch (IOException ex)
        {
            _logger.LogWarning(ex, "Could not remove the staged copy of {Digest}", digest);
        }
    }

    private sealed class Staged
    {
        public Task Ready { get; set; } = Task.CompletedTask;

        public int Leases { get; set; }
    }
}
