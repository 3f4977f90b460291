using System.Security.Cryptography;

namespace LayerLens.Data.Blobs;

/// <summary>
/// Content-addressed files under <c>&lt;data&gt;/blobs/sha256/ab/abcd…</c>. Writes stream into a
/// temp file while hashing, then move into place; a blob that already exists is kept (dedup) and
/// the temp file dropped. Any failure (limit, client gone) deletes the temp file.
/// </summary>
public sealed class BlobStore
{
    private const int BufferSize = 1 << 20;
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");
    private readonly string _root;
    private readonly string _temp;

    public BlobStore(string dataDirectory)
    {
        _root = Path.Combine(dataDirectory, "blobs", "sha256");
        _temp = Path.Combine(dataDirectory, "blobs", "tmp");
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_temp);
        // Leftovers of writes a crash interrupted are never referenced.
        foreach (var stale in Directory.EnumerateFiles(_temp))
        {
            File.Delete(stale);
        }
    }

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
            }
            var digest = "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
            var path = PathOf(digest);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (File.Exists(path))
            {
                File.Delete(temp);
                File.SetLastWriteTimeUtc(path, DateTime.UtcNow); // used again: retention restarts
            }
            else
            {
                File.Move(temp, path, overwrite: true);
            }
            return new StoredBlob(digest, length);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    public bool Exists(string digest) => File.Exists(PathOf(digest));

    /// <summary>Opens a kept blob (its retention restarts: it is in use again), or null when there is none.</summary>
    public Stream? OpenRead(string digest)
    {
        var path = PathOf(digest);
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
    /// once it has been read to the end and its content has that digest.
    /// </summary>
    public Stream Capture(string digest, Stream source)
    {
        PathOf(digest); // refuses anything that is not a sha256 digest
        return new BlobCapture(this, digest, source, Path.Combine(_temp, Guid.NewGuid().ToString("N")));
    }

    /// <summary>Moves a verified temp file into place, or drops it when the blob is already there.</summary>
    internal void Adopt(string temp, string digest)
    {
        var path = PathOf(digest);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp); // another run kept it first
        }
    }

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
