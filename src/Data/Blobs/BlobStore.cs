using System.Security.Cryptography;
using LayerLens.Data.Durability;

namespace LayerLens.Data.Blobs;

/// <summary>
/// Content-addressed files under <c>&lt;data&gt;/blobs/sha256/ab/abcd…</c>. Writes stream into a
/// temp file while hashing, fsync it, then move it into place and fsync the directory: a file at a
/// blob's path is complete. A blob already there is kept (dedup) only after its bytes are checked
/// against the digest, so a torn file left by a crash before these rules is replaced, never reused.
/// Temp files live in a directory of this process instance (<c>blobs/tmp/&lt;instance&gt;/</c>, guarded by a
/// lock file the process holds while it lives); at start only the directories of dead instances go.
/// </summary>
public sealed class BlobStore : IDisposable
{
    private const int BufferSize = 1 << 20;
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");
    private static readonly TimeSpan LooseTempAge = TimeSpan.FromDays(1);
    private readonly string _root;
    private readonly string _temp;
    private readonly ProcessInstanceLock _instance;

    public BlobStore(string dataDirectory)
    {
        _root = Path.Combine(dataDirectory, "blobs", "sha256");
        var temps = Path.Combine(dataDirectory, "blobs", "tmp");
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(temps);
        var instance = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
        // The lock first, then the directory: a temp directory without a held lock is never in use.
        _instance = ProcessInstanceLock.Acquire(Path.Combine(temps, instance + ".lock"));
        _temp = Path.Combine(temps, instance);
        Directory.CreateDirectory(_temp);
        RemoveDeadInstances(temps, instance);
    }

    /// <summary>This instance's temp directory (tests look inside).</summary>
    public string TempDirectory => _temp;

    /// <summary>Removes temp directories whose process is gone; another live process's uploads are left alone.</summary>
    private static void RemoveDeadInstances(string temps, string own)
    {
        foreach (var directory in Directory.EnumerateDirectories(temps))
        {
            var name = Path.GetFileName(directory);
            if (name == own || !ProcessInstanceLock.TryTakeOver(directory + ".lock", out var taken))
            {
                continue;
            }
            using (taken)
            {
                TryDeleteDirectory(directory);
            }
        }
        foreach (var file in Directory.EnumerateFiles(temps))
        {
            // Loose temp files of the layout before per-instance directories; a lock file without its directory
            // is deleted by whoever takes it over.
            if (file.EndsWith(".lock", StringComparison.Ordinal))
            {
                if (!Directory.Exists(file[..^5]) && ProcessInstanceLock.TryTakeOver(file, out var orphan))
                {
                    orphan?.Dispose();
                }
            }
            else if (File.GetLastWriteTimeUtc(file) < DateTime.UtcNow - LooseTempAge)
            {
                File.Delete(file);
            }
        }
    }

    private static void TryDeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Removed by another process starting at the same time.
        }
    }

    public void Dispose() => _instance.Dispose();

    /// <summary>Copies <paramref name="source"/> into the store; throws <see cref="BlobTooLargeException"/> past <paramref name="maxBytes"/>.</summary>
    public async Task<StoredBlob> WriteAsync(Stream source, long maxBytes, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(_temp, Guid.NewGuid().ToString("N"));
        try
        {
            long length = 0;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            {
                var buffer = new byte[BufferSize];
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    length += read;
                    if (length > maxBytes)
                    {
                        throw new BlobTooLargeException(maxBytes);
                    }
                    hash.AppendData(buffer, 0, read);
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                DurableFiles.Sync(target);
            }
            var digest = "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
            Place(temp, digest, length);
            return new StoredBlob(digest, length);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Moves a complete, flushed temp file into place. An existing blob is kept only when its bytes have the
    /// digest (then retention restarts and the temp file goes); a torn one is replaced by the new copy.
    /// </summary>
    private void Place(string temp, string digest, long length)
    {
        var path = PathOf(digest);
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            // A new shard directory is itself an entry of the root: flushed too, or the blob's path could vanish.
            Directory.CreateDirectory(directory);
            DurableFiles.SyncDirectory(_root);
        }
        if (File.Exists(path) && Matches(path, digest, length))
        {
            File.Delete(temp);
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow); // used again: retention restarts
            return;
        }
        File.Move(temp, path, overwrite: true);
        DurableFiles.SyncDirectory(directory);
    }

    /// <summary>Whether the file at a blob's path holds exactly the bytes of <paramref name="digest"/>.</summary>
    public bool Verify(string digest)
    {
        var path = PathOf(digest);
        return File.Exists(path) && Matches(path, digest, new FileInfo(path).Length);
    }

    private static bool Matches(string path, string digest, long length)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, FileOptions.SequentialScan);
            return file.Length == length && "sha256:" + Convert.ToHexStringLower(SHA256.HashData(file)) == digest;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }

    public bool Exists(string digest) => File.Exists(PathOf(digest));

    /// <summary>
    /// Opens a kept blob (its retention restarts: it is in use again), or null when there is none. A file whose
    /// bytes do not have its digest (torn by a crash before writes were flushed) is deleted, never served.
    /// </summary>
    public Stream? OpenRead(string digest)
    {
        var path = PathOf(digest);
        if (File.Exists(path) && !Verify(digest))
        {
            File.Delete(path);
            return null;
        }
        try
        {
            // Touched before it is opened, so a failure here leaves no open handle behind.
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads <paramref name="source"/> through, keeping its bytes as blob <paramref name="digest"/>
    /// once it has been read to the end and its content has that digest; then <paramref name="kept"/> runs
    /// (a download cut short, with other bytes, or not kept runs nothing).
    /// </summary>
    public Stream Capture(string digest, Stream source, Action? kept = null)
    {
        PathOf(digest); // refuses anything that is not a sha256 digest
        return new BlobCapture(this, digest, source, Path.Combine(_temp, Guid.NewGuid().ToString("N")), kept);
    }

    /// <summary>Moves a verified, flushed temp file into place (see <see cref="Place"/>).</summary>
    internal void Adopt(string temp, string digest) => Place(temp, digest, new FileInfo(temp).Length);

    /// <summary>The file of a blob; throws for anything that is not a sha256 digest (never a path from outside).</summary>
    public string PathOf(string digest)
    {
        if (!digest.StartsWith("sha256:", StringComparison.Ordinal) || digest.Length != 71 || digest.AsSpan(7).ContainsAnyExcept(LowerHex))
        {
            throw new ArgumentException($"'{digest}' is not a sha256 digest", nameof(digest));
        }
        var hex = digest[7..];
        return Path.Combine(_root, hex[..2], hex);
    }

    /// <summary>Deletes blobs not written or reused since <paramref name="olderThanUtc"/> unless <paramref name="keep"/> holds them.</summary>
    public int DeleteOlderThan(DateTime olderThanUtc, IReadOnlySet<string> keep)
    {
        var deleted = 0;
        foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
        {
            var digest = "sha256:" + Path.GetFileName(file);
            if (!keep.Contains(digest) && File.GetLastWriteTimeUtc(file) < olderThanUtc)
            {
                File.Delete(file);
                deleted++;
            }
        }
        return deleted;
    }
}

public sealed record StoredBlob(string Digest, long Length);

public sealed class BlobTooLargeException(long maxBytes)
    : Exception($"the upload is larger than the limit of {maxBytes:N0} bytes (LayerLens:MaxUploadBytes)")
{
    public long MaxBytes { get; } = maxBytes;
}
