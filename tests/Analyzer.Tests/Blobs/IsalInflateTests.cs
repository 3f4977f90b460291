using System.IO.Compression;
using LayerLens.Analyzer.Blobs;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Analyzer.Tests.Blobs;

/// <summary>
/// ISA-L and GZipStream are two inflaters behind one contract: the same bytes out of every layer, and the
/// same refusal (type and message naming the layer) of truncated or corrupt gzip. Each case runs both.
/// </summary>
public class IsalInflateTests
{
    [Fact]
    public void Isal_is_loaded_here()
    {
        // install-test-deps.sh installs libisal2; without it the comparisons below would compare zlib with itself.
        Assert.Null(IsalInflate.Unavailable);
        Assert.IsType<IsalGzipStream>(Open(Gzip([1, 2, 3]), zlib: false));
    }

    [Fact]
    public void Setting_zlib_or_a_missing_library_falls_back_to_GZipStream()
    {
        Assert.Equal("LAYERLENS_INFLATE=zlib", IsalInflate.Probe("zlib", "libisal.so.2", out _));
        Assert.Equal("libisal-absent.so.9 not found", IsalInflate.Probe(null, "libisal-absent.so.9", out _));
        Assert.Null(IsalInflate.Probe(null, "libisal.so.2", out _));
        Assert.IsType<GZipStream>(Open(Gzip([1, 2, 3]), zlib: true));
    }

    public static TheoryData<string> Layers() => new(s_layers.Keys);

    [Theory]
    [MemberData(nameof(Layers))]
    public void Both_inflaters_give_identical_bytes(string name)
    {
        var (blob, expected) = s_layers[name]();
        foreach (var chunk in (int[])[1 << 16, 4099, 1])
        {
            if (chunk == 1 && blob.Length > 1 << 20)
            {
                continue;
            }
            var isal = Decode(blob, zlib: false, chunk);
            var zlib = Decode(blob, zlib: true, chunk);
            Assert.Null(zlib.Error);
            Assert.Null(isal.Error);
            Assert.Equal(expected, zlib.Bytes);
            Assert.Equal(expected, isal.Bytes);
        }
    }

    [Fact]
    public void Truncated_gzip_reads_and_is_refused_the_same_way_naming_the_layer()
    {
        var content = ScenarioImage.Layer1();
        var blob = Gzip(content, CompressionLevel.Optimal);
        for (var cut = 2; cut < blob.Length; cut++)
        {
            var cutBlob = blob[..cut];
            var zlib = Decode(cutBlob, zlib: true, 4099);
            var isal = Decode(cutBlob, zlib: false, 4099);
            Assert.True(zlib.Bytes.AsSpan().SequenceEqual(isal.Bytes), $"cut {cut}: zlib {zlib.Bytes?.Length} bytes, isal {isal.Bytes?.Length}");
            Assert.Equal(Refusal(cutBlob, content, zlib: true), Refusal(cutBlob, content, zlib: false));
        }
        var refusal = Refusal(blob[..(blob.Length / 2)], content, zlib: false);
        Assert.StartsWith("InvalidImageException: layer 2 (blob sha256:", refusal);
    }

    /// <summary>
    /// Every single-bit flip of a layer blob, through both inflaters. What holds for every flip: nothing but the
    /// exact layer is ever accepted (the diff_id check sees every output byte), and every refusal names the layer.
    /// What holds for all but a rare few: the same verdict in the same words. The few seen (0–2 of ~4,000 per run)
    /// are flips in the last block's Huffman table that zlib rejects as malformed while ISA-L decodes past them —
    /// to the right bytes (CRC and diff_id pass) or to a short stream the diff_id check refuses.
    /// </summary>
    [Fact]
    public void Every_flipped_bit_is_refused_or_ignored_as_zlib_does()
    {
        var content = ScenarioImage.Layer2();
        DecoderPair.AssertEveryBitFlipIsRefusedAlike(Gzip(content, CompressionLevel.Optimal), content, UseZlib, "zlib", "isal");
    }

    // gzip -n < /dev/null (GZipStream writes nothing at all for empty input).
    private static readonly byte[] EmptyGzip = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private static readonly Dictionary<string, Func<(byte[] Blob, byte[] Expected)>> s_layers = new()
    {
        ["scenario layer 0, optimal"] = () => Same(ScenarioImage.Layer0(), CompressionLevel.Optimal),
        ["scenario layer 1, fastest"] = () => Same(ScenarioImage.Layer1(), CompressionLevel.Fastest),
        ["scenario layer 2, smallest"] = () => Same(ScenarioImage.Layer2(), CompressionLevel.SmallestSize),
        ["stored blocks"] = () => Same(ScenarioImage.Layer0(), CompressionLevel.NoCompression),
        ["pax long-name layer"] = () => Same(DecoderStressLayers.LongNames(), CompressionLevel.Optimal),
        ["empty gzip"] = () => (EmptyGzip, []),
        ["multi-member with an empty member"] = () => Trailed(layer => [.. Gzip(layer), .. EmptyGzip, .. Gzip(layer)], twice: true),
        ["trailing zeros"] = () => Trailed(layer => [.. Gzip(layer), .. new byte[1024]]),
        ["trailing garbage"] = () => Trailed(layer => [.. Gzip(layer), .. "not gzip"u8]),
        ["trailing 0x1f then garbage"] = () => Trailed(layer => [.. Gzip(layer), 0x1f, 0x00, 0x1f, 0x8b]),
        ["trailing partial gzip header"] = () => Trailed(layer => [.. Gzip(layer), 0x1f, 0x8b, 0x08]),
        ["large random layer"] = () => Same(DecoderStressLayers.Large(), CompressionLevel.Fastest),
        ["large layer, members across input buffers"] = () =>
        {
            var large = DecoderStressLayers.Large();
            return ([.. Gzip(large), .. Gzip(large[..100_003]), .. Gzip([7])], [.. large, .. large[..100_003], 7]);
        },
    };

    /// <summary>Layer 0 (tar bytes carry the build time, so built once) wrapped as given; only its gzip members decode.</summary>
    private static (byte[], byte[]) Trailed(Func<byte[], byte[]> wrap, bool twice = false)
    {
        var layer = ScenarioImage.Layer0();
        return (wrap(layer), twice ? [.. layer, .. layer] : layer);
    }

    private static (byte[], byte[]) Same(byte[] content, CompressionLevel level) => (Gzip(content, level), content);

    private static byte[] Gzip(byte[] content, CompressionLevel level = CompressionLevel.Optimal)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, level, leaveOpen: true))
        {
            gzip.Write(content);
        }
        return output.ToArray();
    }

    private static void UseZlib(bool on) => IsalInflate.ForceZlib = on;

    private static Stream Open(byte[] blob, bool zlib) => DecoderPair.Open(blob, UseZlib, zlib);

    private static (byte[]? Bytes, Exception? Error) Decode(byte[] blob, bool zlib, int chunk)
    {
        using var stream = Open(blob, zlib);
        Assert.IsType(zlib ? typeof(GZipStream) : typeof(IsalGzipStream), stream);
        try
        {
            return (DecoderPair.ReadInChunks(stream, chunk), null);
        }
        catch (InvalidDataException ex)
        {
            return (null, ex);
        }
    }

    private static string? Refusal(byte[] blob, byte[] content, bool zlib) =>
        LayerRefusal.Of(blob, content, UseZlib, zlib);
}
