using LayerLens.Analyzer.Blobs;
using LayerLens.TestInfrastructure.Synthetic;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace LayerLens.Analyzer.Tests.Blobs;

/// <summary>
/// libzstd and ZstdSharp are two zstd decoders behind one contract: the same bytes out of every layer, and the
/// same refusal (type and message naming the layer) of truncated or corrupt zstd. Each case runs both.
/// </summary>
public class NativeZstdTests
{
    [Fact]
    public void Libzstd_is_loaded_here()
    {
        // libzstd1 comes with every Debian (apt, dpkg and systemd need it); without it the comparisons below
        // would compare ZstdSharp with itself.
        Assert.Null(NativeZstd.Unavailable);
        Assert.IsType<NativeZstdStream>(Open(Zstd([1, 2, 3]), managed: false));
    }

    [Fact]
    public void Setting_managed_or_a_missing_library_falls_back_to_ZstdSharp()
    {
        Assert.Equal("LAYERLENS_ZSTD=managed", NativeZstd.Probe("managed", NativeZstd.LibraryName, out _));
        Assert.Equal("libzstd-absent.so.9 not found", NativeZstd.Probe(null, "libzstd-absent.so.9", out _));
        Assert.Null(NativeZstd.Probe(null, NativeZstd.LibraryName, out _));
        Assert.IsType<DecompressionStream>(Open(Zstd([1, 2, 3]), managed: true));
    }

    public static TheoryData<string> Layers() => new(s_layers.Keys);

    [Theory]
    [MemberData(nameof(Layers))]
    public void Both_decoders_give_identical_bytes(string name)
    {
        var (blob, expected) = s_layers[name]();
        foreach (var chunk in (int[])[1 << 16, 4099, 1])
        {
            if (chunk == 1 && blob.Length > 1 << 20)
            {
                continue;
            }
            var native = Decode(blob, managed: false, chunk);
            var managed = Decode(blob, managed: true, chunk);
            Assert.Equal(managed.Error, native.Error);
            Assert.Equal(expected, managed.Bytes);
            Assert.Equal(expected, native.Bytes);
        }
    }

    [Fact]
    public void Trailing_bytes_that_are_no_frame_are_refused_the_same_way()
    {
        var layer = ScenarioImage.Layer0();
        foreach (var blob in (byte[][])[[.. Zstd(layer), .. "not zstd"u8], [.. Zstd(layer), .. new byte[64]], [.. Zstd(layer), 0x28, 0xb5]])
        {
            var native = Decode(blob, managed: false, 4099);
            var managed = Decode(blob, managed: true, 4099);
            Assert.NotNull(managed.Error);
            Assert.Equal(managed.Error, native.Error);
            Assert.Equal(Refusal(blob, layer, managed: true), Refusal(blob, layer, managed: false));
        }
    }

    [Fact]
    public void Truncated_zstd_is_refused_the_same_way_naming_the_layer()
    {
        var content = ScenarioImage.Layer1();
        var blob = Zstd(content, level: 19, checksum: true);
        for (var cut = 1; cut < blob.Length; cut++)
        {
            var cutBlob = blob[..cut];
            var managed = Refusal(cutBlob, content, managed: true);
            Assert.NotNull(managed);
            Assert.Equal(managed, Refusal(cutBlob, content, managed: false));
        }
        Assert.StartsWith("InvalidImageException: layer 2 (blob sha256:", Refusal(blob[..(blob.Length / 2)], content, managed: false));
    }

    /// <summary>
    /// Every single-bit flip of a layer blob (a frame with a content checksum), through both decoders. What holds
    /// for every flip: nothing but the exact layer is ever accepted (the diff_id check sees every output byte),
    /// and every refusal names the layer. What holds for all but a rare few: the same verdict in the same words.
    /// The few seen (5 of ~2,600) are flips that ZstdSharp, a port of a newer zstd with stricter bitstream checks,
    /// calls "Data corruption detected" while Debian's libzstd 1.5.4 names another error, or decodes past them
    /// to the right bytes.
    /// </summary>
    [Fact]
    public void Every_flipped_bit_is_refused_or_ignored_as_ZstdSharp_does()
    {
        var content = ScenarioImage.Layer2();
        DecoderPair.AssertEveryBitFlipIsRefusedAlike(Zstd(content, level: 3, checksum: true), content, UseManaged, "ZstdSharp", "libzstd");
    }

    private static readonly Dictionary<string, Func<(byte[] Blob, byte[] Expected)>> s_layers = new()
    {
        ["scenario layer 0, level 3"] = () => Same(ScenarioImage.Layer0(), 3, checksum: false),
        ["scenario layer 1, level 1 with checksum"] = () => Same(ScenarioImage.Layer1(), 1, checksum: true),
        ["scenario layer 2, level 19"] = () => Same(ScenarioImage.Layer2(), 19, checksum: false),
        ["empty frame"] = () => (Zstd([]), []),
        ["pax long-name layer"] = () => Same(DecoderStressLayers.LongNames(), 3, checksum: true),
        ["frames with an empty one between"] = () =>
        {
            var layer = ScenarioImage.Layer0();
            return ([.. Zstd(layer), .. Zstd([]), .. Zstd(layer, level: 9)], [.. layer, .. layer]);
        },
        ["skippable frame between frames"] = () =>
        {
            var layer = ScenarioImage.Layer0();
            byte[] skippable = [0x50, 0x2a, 0x4d, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5];
            return ([.. Zstd(layer), .. skippable, .. Zstd(layer)], [.. layer, .. layer]);
        },
        ["large random layer"] = () => Same(DecoderStressLayers.Large(), 1, checksum: true),
        ["large layer, frames across input buffers"] = () =>
        {
            var large = DecoderStressLayers.Large();
            return ([.. Zstd(large), .. Zstd(large[..100_003]), .. Zstd([7])], [.. large, .. large[..100_003], 7]);
        },
    };

    private static (byte[], byte[]) Same(byte[] content, int level, bool checksum) => (Zstd(content, level, checksum), content);

    private static byte[] Zstd(byte[] content, int level = 3, bool checksum = false)
    {
        using var compressor = new Compressor(level);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, checksum ? 1 : 0);
        return compressor.Wrap(content).ToArray();
    }

    private static void UseManaged(bool on) => NativeZstd.ForceManaged = on;

    private static Stream Open(byte[] blob, bool managed) => DecoderPair.Open(blob, UseManaged, managed);

    /// <summary>The decoded bytes, or the decoder's error as "type: message" (the refusal a layer would carry).</summary>
    private static (byte[]? Bytes, string? Error) Decode(byte[] blob, bool managed, int chunk)
    {
        using var stream = Open(blob, managed);
        Assert.IsType(managed ? typeof(DecompressionStream) : typeof(NativeZstdStream), stream);
        try
        {
            return (DecoderPair.ReadInChunks(stream, chunk), null);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or ZstdException)
        {
            return (null, (ex is ZstdException or InvalidDataException ? "corrupt" : ex.GetType().Name) + ": " + ex.Message);
        }
    }

    private static string? Refusal(byte[] blob, byte[] content, bool managed) =>
        LayerRefusal.Of(blob, content, UseManaged, managed);
}
