using System.Security.Cryptography;
using System.Text;
using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Layers.Cache;

/// <summary>
/// Cached layer results as files in <c>DIR/layers/</c>, one per key (<see cref="LayerEntryFormat"/>), shared safely by
/// processes: an entry is written to a temporary file and renamed into place, so a reader sees a whole entry or none;
/// an unreadable one (torn, flipped, another version) is ignored and replaced by the next verified read. The files
/// stay under <see cref="MaxBytes"/>: after each store the least recently used (written or hit) go first.
/// Failures of the directory itself (full disk, no permission) make a miss or a skipped store, never a failed analysis.
/// </summary>
public sealed class DirectoryLayerCache : ILayerCache
{
    public const long DefaultMaxBytes = 2L * 1024 * 1024 * 1024;
    private const string EntrySuffix = ".layer";
    private const string TempPrefix = ".tmp-";
    private static readonly TimeSpan StaleTemp = TimeSpan.FromHours(1);

    public DirectoryLayerCache(string directory, long maxBytes = DefaultMaxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        Directory = Path.GetFullPath(directory);
        EntriesDirectory = Path.Combine(Directory, "layers");
        MaxBytes = maxBytes;
    }

    public string Directory { get; }

    public string EntriesDirectory { get; }

    public long MaxBytes { get; }

    /// <summary>
    /// The default place: <c>$XDG_CACHE_HOME/layerlens</c>, else <c>$HOME/.cache/layerlens</c> (only absolute paths count,
    /// as the XDG spec says); null when neither names one (never a directory relative to wherever the command runs).
    /// </summary>
    public static string? DefaultDirectory()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "layerlens");
        }
        var home = Environment.GetEnvironmentVariable("HOME");
        if (string.IsNullOrEmpty(home) || !Path.IsPathRooted(home))
        {
            home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        }
        return !string.IsNullOrEmpty(home) && Path.IsPathRooted(home) ? Path.Combine(home, ".cache", "layerlens") : null;
    }

    /// <summary>The file holding <paramref name="key"/>'s entry.</summary>
    public string PathOf(LayerCacheKey key) =>
        Path.Combine(EntriesDirectory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString())))[..40] + EntrySuffix);

    public ValueTask<CachedLayer?> TryGetAsync(LayerBlob layer, LayerCacheKey key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
            var length = file.Length;
            // An entry is never larger than the whole cache may be (a giant file here is not ours to read).
            if (length > MaxBytes || length > Array.MaxLength)
            {
                return ValueTask.FromResult<CachedLayer?>(null);
            }
            var bytes = GC.AllocateUninitializedArray<byte>((int)length);
            file.ReadExactly(bytes);
            var hit = LayerEntryFormat.TryRead(bytes, key);
            if (hit is not null)
            {
                Touch(path);
            }
            return ValueTask.FromResult(hit);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ValueTask.FromResult<CachedLayer?>(null);
        }
    }

    public ValueTask StoreAsync(LayerBlob layer, LayerCacheKey key, CachedLayer result, CancellationToken cancellationToken)
    {
        var bytes = LayerEntryFormat.Write(key, result);
        if (bytes.Length > MaxBytes)
        {
            return ValueTask.CompletedTask;
        }
        var temp = Path.Combine(EntriesDirectory, TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            System.IO.Directory.CreateDirectory(EntriesDirectory);
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, PathOf(key), overwrite: true);
            Evict();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Deletes least recently used entries (and abandoned temporary files) until the directory is within <see cref="MaxBytes"/>.</summary>
    public void Evict()
    {
        var files = new List<FileInfo>();
        long total = 0;
        var now = DateTime.UtcNow;
        foreach (var file in new DirectoryInfo(EntriesDirectory).EnumerateFiles())
        {
            try
            {
                if (file.Name.StartsWith(TempPrefix, StringComparison.Ordinal))
                {
                    // Another process may be writing it right now; one left for an hour was abandoned.
                    if (now - file.LastWriteTimeUtc > StaleTemp)
                    {
                        TryDelete(file.FullName);
                    }
                    else
                    {
                        total += file.Length;
                    }
                    continue;
                }
                total += file.Length;
                files.Add(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Evicted or replaced by another process meanwhile.
            }
        }
        if (total <= MaxBytes)
        {
            return;
        }
        foreach (var file in files.OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal))
        {
            if (total <= MaxBytes)
            {
                break;
            }
            total -= file.Length;
            TryDelete(file.FullName);
        }
    }

    /// <summary>A hit makes its entry the most recently used.</summary>
    private static void Touch(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Evicted by another process meanwhile: it was a hit all the same.
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Already gone, or not ours to delete.
        }
    }
}
