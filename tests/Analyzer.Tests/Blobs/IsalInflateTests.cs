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
        var blob = Gzip(content, CompressionLevel.Optimal);
        var prefix = "InvalidImageException: layer 2 (blob sha256:";
        var refused = 0;
        var differ = new List<string>();
        for (var bit = 0; bit < blob.Length * 8; bit++)
        {
            var flipped = (byte[])blob.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            var zlib = Refusal(flipped, content, zlib: true);
            var isal = Refusal(flipped, content, zlib: false);
            Assert.True(zlib is null || zlib.StartsWith(prefix, StringComparison.Ordinal), zlib);
            Assert.True(isal is null || isal.StartsWith(prefix, StringComparison.Ordinal), isal);
            refused += zlib is null ? 0 : 1;
            if (zlib != isal)
            {
                differ.Add($"bit {bit}: zlib {zlib ?? "accepts"} / isal {isal ?? "accepts"}");
            }
        }
        // Header fields such as mtime and OS are unchecked; the deflate data and trailer are.
        Assert.True(refused > blob.Length * 8 * 3 / 4, $"{refused} of {blob.Length * 8} flips refused");
        Assert.True(differ.Count <= blob.Length * 8 / 200, string.Join("\n", differ));
    }

    // gzip -n < /dev/null (GZipStream writes nothing at all for empty input).
    private static readonly byte[] EmptyGzip = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private static readonly Dictionary<string, Func<(byte[] Blob, byte[] Expected)>> s_layers = new()
    {
        ["scenario layer 0, optimal"] = () => Same(ScenarioImage.Layer0(), CompressionLevel.Optimal),
        ["scenario layer 1, fastest"] = () => Same(ScenarioImage.Layer1(), CompressionLevel.Fastest),
        ["scenario layer 2, smallest"] = () => Same(ScenarioImage.Layer2(), CompressionLevel.SmallestSize),
        ["stored blocks"] = () => Same(ScenarioImage.Layer0(), CompressionLevel.NoCompression),
        ["pax long-name layer"] = () => Same(LongNames(), CompressionLevel.Optimal),
        ["empty gzip"] = () => (EmptyGzip, []),
        ["multi-member with an empty member"] = () => Trailed(layer => [.. Gzip(layer), .. EmptyGzip, .. Gzip(layer)], twice: true),
        ["trailing zeros"] = () => Trailed(layer => [.. Gzip(layer), .. new byte[1024]]),
        ["trailing garbage"] = () => Trailed(layer => [.. Gzip(layer), .. "not gzip"u8]),
        ["trailing 0x1f then garbage"] = () => Trailed(layer => [.. Gzip(layer), 0x1f, 0x00, 0x1f, 0x8b]),
        ["trailing partial gzip header"] = () => Trailed(layer => [.. Gzip(layer), 0x1f, 0x8b, 0x08]),
        ["large random layer"] = () => Same(Large(), CompressionLevel.Fastest),
        ["large layer, members across input buffers"] = () =>
        {
            var large = Large();
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

    /// <summary>24 MiB: half random (incompressible), half repetitive, in alternating 1 MiB runs.</summary>
    private static byte[] Large()
    {
        var bytes = new byte[24 << 20];
        var random = new Random(16);
        for (var run = 0; run < 24; run++)
        {
            var span = bytes.AsSpan(run << 20, 1 << 20);
            if (run % 2 == 0)
            {
                random.NextBytes(span);
            }
            else
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = (byte)("layerlens "[i % 10] + (i >> 12) % 3);
                }
            }
        }
        return bytes;
    }

    private static byte[] LongNames()
    {
        var builder = new LayerTarBuilder();
        for (var i = 0; i < 300; i++)
        {
            builder.File($"usr/share/{new string('d', 90)}/{i}/file-{i}.txt", 1 + i * 13 % 4000, seed: i);
        }
        return builder.Build();
    }

    private static byte[] Gzip(byte[] content, CompressionLevel level = CompressionLevel.Optimal)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, level, leaveOpen: true))
        {
            gzip.Write(content);
        }
        return output.ToArray();
    }

    private static Stream Open(byte[] blob, bool zlib)
    {
        IsalInflate.ForceZlib = zlib;
        try
        {
            return Compression.OpenDecoded(new MemoryStream(blob), out _);
        }
        finally
        {
            IsalInflate.ForceZlib = false;
        }
    }

    private static (byte[]? Bytes, Exception? Error) Decode(byte[] blob, bool zlib, int chunk)
    {
        using var stream = Open(blob, zlib);
        Assert.IsType(zlib ? typeof(GZipStream) : typeof(IsalGzipStream), stream);
        var output = new MemoryStream();
        var buffer = new byte[chunk];
        try
        {
            int n;
            while ((n = stream.Read(buffer, 0, chunk)) > 0)
            {
                output.Write(buffer, 0, n);
            }
            return (output.ToArray(), null);
        }
        catch (InvalidDataException ex)
        {
            return (null, ex);
        }
    }

    private static string? Refusal(byte[] blob, byte[] content, bool zlib) =>
        LayerRefusal.Of(blob, content, on => IsalInflate.ForceZlib = on, zlib);
}
