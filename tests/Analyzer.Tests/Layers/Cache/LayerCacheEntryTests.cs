using System.Buffers.Binary;
using System.IO.Hashing;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Layers;
using LayerLens.Analyzer.Layers.Cache;
using LayerLens.Analyzer.Tests.Analysis;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Analyzer.Tests.Layers.Cache;

/// <summary>
/// A cache entry is never trusted: a truncated, bit-flipped, other-version or other-key entry is ignored (the layer is
/// read) and replaced by a good one; an entry whose checksum is right but whose content points nowhere is refused
/// too; and a layer that fails verification is never stored.
/// </summary>
public sealed class LayerCacheEntryTests : IDisposable
{
    private readonly TempDir _temp = new();
    private readonly string _source;
    private readonly string _cold;

    public LayerCacheEntryTests()
    {
        _source = ScenarioAnalysisTests.Write(_temp, ScenarioImage.Create(), "oci");
        _cold = CachedAnalysis.AnalyzeAsync(_source, cache: null).GetAwaiter().GetResult().Fingerprint;
    }

    public void Dispose() => _temp.Dispose();

    private DirectoryLayerCache NewCache() => new(_temp.File("cache-" + Guid.NewGuid().ToString("N")));

    /// <summary>Fills the cache, damages every entry with <paramref name="damage"/>, then analyses again.</summary>
    private async Task AssertDamagedEntriesAreIgnoredAndRewrittenAsync(Func<byte[], byte[]> damage)
    {
        var cache = NewCache();
        await CachedAnalysis.AnalyzeAsync(_source, cache);
        var entries = Directory.GetFiles(cache.EntriesDirectory);
        Assert.Equal(3, entries.Length);
        var good = entries.ToDictionary(e => e, File.ReadAllBytes);
        foreach (var (path, bytes) in good)
        {
            File.WriteAllBytes(path, damage(bytes.ToArray()));
        }

        var recording = new CachedAnalysis.RecordingCache(cache);
        var again = await CachedAnalysis.AnalyzeAsync(_source, recording);

        Assert.Equal(_cold, again.Fingerprint);
        Assert.Equal((0, 3, 3), (recording.Hits, recording.Misses, recording.Stores));
        Assert.Equal(3, again.BlobsOpened);
        foreach (var (path, bytes) in good)
        {
            Assert.Equal(bytes, File.ReadAllBytes(path));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(20)]
    [InlineData(-17)]
    [InlineData(-1)]
    public Task A_truncated_entry_is_ignored_and_rewritten(int keep) =>
        AssertDamagedEntriesAreIgnoredAndRewrittenAsync(bytes => bytes[..(keep >= 0 ? keep : bytes.Length + keep)]);

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(1.0)]
    public Task A_bit_flipped_entry_is_ignored_and_rewritten(double where) =>
        AssertDamagedEntriesAreIgnoredAndRewrittenAsync(bytes =>
        {
            bytes[Math.Min(bytes.Length - 1, (int)(where * bytes.Length))] ^= 0x10;
            return bytes;
        });

    [Fact]
    public Task An_entry_of_another_format_version_is_ignored_and_rewritten_even_with_a_valid_checksum() =>
        AssertDamagedEntriesAreIgnoredAndRewrittenAsync(bytes =>
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), LayerCacheKey.CurrentFormatVersion + 1);
            return Reseal(bytes);
        });

    [Fact]
    public Task An_entry_stored_for_another_key_is_ignored_and_rewritten()
    {
        byte[]? first = null;
        // Every entry replaced by the same (valid, checksummed) entry of one layer: right format, wrong key for two of them.
        return AssertDamagedEntriesAreIgnoredAndRewrittenAsync(bytes =>
        {
            first ??= bytes;
            var swapped = first == bytes ? Reseal(FlipKeyDigit(bytes)) : first;
            return swapped;
        });
    }

    [Fact]
    public void A_checksummed_entry_whose_indexes_point_nowhere_is_refused()
    {
        var key = LayerCacheKey.Verified("sha256:" + new string('a', 64), "sha256:" + new string('b', 64), AnalysisLimits.Default);
        CachedLayer Layer(int[] parents, FileVersion[] versions, int[]? whiteouts = null) => new()
        {
            BlobDigest = key.BlobDigest,
            DiffId = key.DiffId,
            CompressedBytes = 1,
            UncompressedBytes = 1,
            Compression = CompressionKind.Gzip,
            SizeBytes = 0,
            EntryCount = versions.Length,
            Parents = parents,
            NameEnds = parents.Select((_, i) => i + 1).ToArray(),
            Names = parents.Select(_ => (byte)'n').ToArray(),
            Versions = versions,
            Whiteouts = whiteouts ?? [],
            OpaqueDirectories = [],
            SymlinkTargets = [],
        };
        var dir = new FileVersion { Node = 0, Link = -1, Kind = EntryKind.Directory };

        Assert.NotNull(LayerEntryFormat.TryRead(LayerEntryFormat.Write(key, Layer([-1, 0], [dir])), key));
        Assert.Null(LayerEntryFormat.TryRead(LayerEntryFormat.Write(key, Layer([1, 0], [dir])), key)); // child before parent
        Assert.Null(LayerEntryFormat.TryRead(LayerEntryFormat.Write(key, Layer([-1], [dir with { Node = 1 }])), key));
        Assert.Null(LayerEntryFormat.TryRead(LayerEntryFormat.Write(key, Layer([-1], [dir with { Kind = EntryKind.HardLink, Link = 5 }])), key));
        Assert.Null(LayerEntryFormat.TryRead(LayerEntryFormat.Write(key, Layer([-1], [dir with { Kind = EntryKind.Symlink, Link = 0 }])), key));
        Assert.Null(LayerEntryFormat.TryRead(LayerEntryFormat.Write(key, Layer([-1], [dir], whiteouts: [7])), key));
        var slash = Layer([-1], [dir]);
        slash.Names[0] = (byte)'/';
        Assert.Null(LayerEntryFormat.TryRead(LayerEntryFormat.Write(key, slash), key));
    }

    [Fact]
    public async Task Resealed_random_mutations_never_crash_an_analysis()
    {
        var cache = NewCache();
        await CachedAnalysis.AnalyzeAsync(_source, cache);
        var entries = Directory.GetFiles(cache.EntriesDirectory).ToDictionary(e => e, File.ReadAllBytes);
        var random = new Random(16);
        for (var round = 0; round < 40; round++)
        {
            foreach (var (path, bytes) in entries)
            {
                var mutated = bytes.ToArray();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    mutated[random.Next(mutated.Length - 16)] = (byte)random.Next(256);
                }
                File.WriteAllBytes(path, Reseal(mutated));
            }
            // A resealed mutation the format cannot tell from genuine content (a hash or a size) changes what the layer
            // says, and a huge uncompressed size trips the image's budget as a clear error; anything structural is
            // refused and the layer read. Never another exception.
            try
            {
                var run = await CachedAnalysis.AnalyzeAsync(_source, cache);
                Assert.Equal(3, run.Analysis.Layers.Count);
            }
            catch (InvalidImageException ex)
            {
                Assert.Contains("the image's uncompressed size passes the limit", ex.Message);
            }
        }
    }

    [Fact]
    public async Task A_layer_that_fails_its_digest_check_is_never_stored()
    {
        var image = ScenarioImage.Create(LayerCompression.None);
        // Same length, one content byte changed: the manifest still names the genuine digest.
        image.WriteOciArchive(_temp.File("tampered.tar"), blob =>
        {
            var copy = blob.ToArray();
            copy[600] ^= 1;
            return copy;
        });
        image.WriteOciArchive(_temp.File("genuine.tar"));
        var cache = NewCache();

        await Assert.ThrowsAsync<InvalidImageException>(() => CachedAnalysis.AnalyzeAsync("oci-archive:" + _temp.File("tampered.tar"), cache));
        var recording = new CachedAnalysis.RecordingCache(cache);
        var genuine = await CachedAnalysis.AnalyzeAsync("oci-archive:" + _temp.File("genuine.tar"), recording);
        var cold = await CachedAnalysis.AnalyzeAsync("oci-archive:" + _temp.File("genuine.tar"), cache: null);

        Assert.Equal(cold.Fingerprint, genuine.Fingerprint);
        Assert.Equal(0, recording.Hits);
    }

    [Fact]
    public async Task A_layer_cached_under_looser_limits_is_refused_as_a_cold_read_refuses_it()
    {
        var cache = NewCache();
        await CachedAnalysis.AnalyzeAsync(_source, cache);
        // Layer 0 has 19 entries, the others fewer than 18: one layer fails, whichever order the layers are read in.
        var strict = AnalysisLimits.Default with { MaxEntriesPerLayer = 18 };

        var cold = await Assert.ThrowsAsync<InvalidImageException>(() => CachedAnalysis.AnalyzeAsync(_source, cache: null, strict));
        var warm = await Assert.ThrowsAsync<InvalidImageException>(() => CachedAnalysis.AnalyzeAsync(_source, cache, strict));

        Assert.Equal(cold.Message, warm.Message);
        Assert.Contains("layer 0", warm.Message);
    }

    [Fact]
    public async Task Cached_layers_count_against_the_image_wide_uncompressed_budget()
    {
        var cache = NewCache();
        var filled = await CachedAnalysis.AnalyzeAsync(_source, cache);
        var tight = AnalysisLimits.Default with { MaxImageUncompressedBytes = filled.Analysis.Layers.Sum(l => l.UncompressedTarBytes) - 1 };

        var warm = await Assert.ThrowsAsync<InvalidImageException>(() => CachedAnalysis.AnalyzeAsync(_source, cache, tight));

        Assert.Contains("the image's uncompressed size passes the limit", warm.Message);
    }

    private static byte[] Reseal(byte[] bytes)
    {
        BinaryPrimitives.WriteUInt128LittleEndian(bytes.AsSpan(bytes.Length - 16), XxHash128.HashToUInt128(bytes.AsSpan(0, bytes.Length - 16)));
        return bytes;
    }

    /// <summary>Changes one hex digit of the key line's blob digest (the line starts after magic, version and its length).</summary>
    private static byte[] FlipKeyDigit(byte[] bytes)
    {
        var copy = bytes.ToArray();
        var digit = 4 + 4 + 2 + "sha256:".Length;
        copy[digit] = (byte)(copy[digit] == (byte)'0' ? '1' : '0');
        return copy;
    }
}
