using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Layers;
using LayerLens.Analyzer.Layers.Cache;

namespace LayerLens.Analyzer.Tests.Layers.Cache;

/// <summary>The cache directory stays under its bound; what goes first is what was least recently stored or hit.</summary>
public sealed class LayerCacheEvictionTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly LayerBlob Layer = new()
    {
        Index = 0, Digest = null, DiffId = null, MediaType = null, CompressedSize = -1,
        Open = _ => throw new InvalidOperationException("a cache test opens no blob"),
    };

    /// <summary>An entry of about <paramref name="nameBytes"/> bytes under key number <paramref name="n"/>.</summary>
    private static (LayerCacheKey Key, CachedLayer Layer) Entry(int n, int nameBytes = 1000)
    {
        var key = LayerCacheKey.Verified("sha256:" + n.ToString("x64"), "sha256:" + (n + 1000).ToString("x64"), AnalysisLimits.Default);
        return (key, new CachedLayer
        {
            BlobDigest = key.BlobDigest,
            DiffId = key.DiffId,
            CompressedBytes = 10,
            UncompressedBytes = 20,
            Compression = CompressionKind.Gzip,
            SizeBytes = 0,
            EntryCount = 1,
            Parents = [-1],
            NameEnds = [nameBytes],
            Names = Enumerable.Repeat((byte)'x', nameBytes).ToArray(),
            Versions = [new FileVersion { Node = 0, Link = -1, Kind = EntryKind.Directory }],
            Whiteouts = [],
            OpaqueDirectories = [],
            SymlinkTargets = [],
        });
    }

    private static long DirectoryBytes(DirectoryLayerCache cache) =>
        new DirectoryInfo(cache.EntriesDirectory).EnumerateFiles().Sum(f => f.Length);

    [Fact]
    public async Task The_least_recently_used_entry_goes_first_and_a_hit_counts_as_use()
    {
        var entrySize = LayerEntryFormat.Write(Entry(1).Key, Entry(1).Layer).Length;
        var cache = new DirectoryLayerCache(_temp.File("cache"), maxBytes: entrySize * 2 + entrySize / 2);
        var (a, b, c) = (Entry(1), Entry(2), Entry(3));
        await cache.StoreAsync(Layer, a.Key, a.Layer, default);
        await cache.StoreAsync(Layer, b.Key, b.Layer, default);
        File.SetLastWriteTimeUtc(cache.PathOf(a.Key), DateTime.UtcNow.AddMinutes(-2));
        File.SetLastWriteTimeUtc(cache.PathOf(b.Key), DateTime.UtcNow.AddMinutes(-1));

        Assert.NotNull(await cache.TryGetAsync(Layer, a.Key, default)); // a is now the most recently used
        await cache.StoreAsync(Layer, c.Key, c.Layer, default);

        Assert.True(File.Exists(cache.PathOf(a.Key)));
        Assert.False(File.Exists(cache.PathOf(b.Key)));
        Assert.True(File.Exists(cache.PathOf(c.Key)));
        Assert.Null(await cache.TryGetAsync(Layer, b.Key, default));
        Assert.InRange(DirectoryBytes(cache), 0, cache.MaxBytes);
    }

    [Fact]
    public async Task Many_stores_keep_the_directory_under_its_bound_and_keep_the_newest()
    {
        var cache = new DirectoryLayerCache(_temp.File("cache"), maxBytes: 20_000);
        for (var n = 0; n < 60; n++)
        {
            var e = Entry(n, nameBytes: 500 + n * 37 % 900);
            await cache.StoreAsync(Layer, e.Key, e.Layer, default);
            Assert.InRange(DirectoryBytes(cache), 0, cache.MaxBytes);
            Assert.NotNull(await cache.TryGetAsync(Layer, e.Key, default));
        }
        Assert.InRange(Directory.GetFiles(cache.EntriesDirectory).Length, 10, 40);
    }

    [Fact]
    public async Task An_entry_larger_than_the_whole_bound_is_not_kept()
    {
        var cache = new DirectoryLayerCache(_temp.File("cache"), maxBytes: 500);
        var e = Entry(1, nameBytes: 1000);

        await cache.StoreAsync(Layer, e.Key, e.Layer, default);

        Assert.Null(await cache.TryGetAsync(Layer, e.Key, default));
    }

    [Fact]
    public async Task Abandoned_temporary_files_are_removed_and_fresh_ones_are_left_to_their_writer()
    {
        var cache = new DirectoryLayerCache(_temp.File("cache"), maxBytes: 1_000_000);
        Directory.CreateDirectory(cache.EntriesDirectory);
        var abandoned = Path.Combine(cache.EntriesDirectory, ".tmp-abandoned");
        var writing = Path.Combine(cache.EntriesDirectory, ".tmp-writing");
        File.WriteAllBytes(abandoned, new byte[100]);
        File.WriteAllBytes(writing, new byte[100]);
        File.SetLastWriteTimeUtc(abandoned, DateTime.UtcNow.AddHours(-2));

        var e = Entry(1);
        await cache.StoreAsync(Layer, e.Key, e.Layer, default);

        Assert.False(File.Exists(abandoned));
        Assert.True(File.Exists(writing));
    }

    [Fact]
    public async Task An_unwritable_directory_makes_misses_not_failures()
    {
        var file = _temp.File("not-a-directory");
        await File.WriteAllTextAsync(file, "x");
        var cache = new DirectoryLayerCache(file);
        var e = Entry(1);

        await cache.StoreAsync(Layer, e.Key, e.Layer, default);

        Assert.Null(await cache.TryGetAsync(Layer, e.Key, default));
    }
}
