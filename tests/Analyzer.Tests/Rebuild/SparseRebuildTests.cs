using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Rebuild;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Processes;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Analyzer.Tests.Rebuild;

/// <summary>
/// Layers written by GNU tar with --sparse (old GNU 'S' headers and the PAX formats 0.0, 0.1 and 1.0): buildah and
/// docker write dense files, so these layers are made here from files with holes. The rebuild writes them densely;
/// umoci's unpack of the rebuilt image must equal the files tar read, and for the PAX formats (umoci refuses the
/// old 'S' type flag; Go's archive/tar expands PAX sparse entries itself) umoci's unpack of the source.
/// </summary>
public class SparseRebuildTests
{
    /// <summary>A layer tar of data/ by GNU tar with --sparse; <paramref name="format"/> is tar's own format arguments.</summary>
    private static async Task<byte[]> SparseLayerAsync(TempDir dir, string[] format)
    {
        var root = dir.File("root");
        Directory.CreateDirectory(Path.Combine(root, "data"));
        // 3 MiB with two islands of data (one at the very end) and a file that is one hole.
        await ProcessRunner.RunAsync("truncate", ["-s", "3M", Path.Combine(root, "data/holes.bin")]);
        await ProcessRunner.RunAsync("dd", ["if=/dev/urandom", $"of={Path.Combine(root, "data/holes.bin")}", "bs=4k", "count=3", "seek=256", "conv=notrunc"]);
        await ProcessRunner.RunAsync("dd", ["if=/dev/urandom", $"of={Path.Combine(root, "data/holes.bin")}", "bs=4k", "count=1", "seek=767", "conv=notrunc"]);
        await ProcessRunner.RunAsync("truncate", ["-s", "2M", Path.Combine(root, "data/all-hole.bin")]);
        File.WriteAllText(Path.Combine(root, "data/dead.txt"), "removed by the next layer, so this layer is rewritten");
        File.WriteAllText(Path.Combine(root, "data/dense.txt"), "dense");
        var tar = dir.File("layer.tar");
        // --hole-detection=raw finds the holes by their zeros, whatever the filesystem under the test reports.
        await ProcessRunner.RunAsync("tar", [.. format, "--sparse", "--hole-detection=raw", "-cf", tar, "-C", root, "data"]);
        return File.ReadAllBytes(tar);
    }

    public static TheoryData<string, string[], string> Formats => new()
    {
        { "gnu", ["--format=gnu"], "GNU tar old sparse ('S')" },
        { "pax00", ["--format=posix", "--sparse-version=0.0"], "GNU.sparse.offset" },
        { "pax01", ["--format=posix", "--sparse-version=0.1"], "GNU.sparse.map" },
        { "pax10", ["--format=posix", "--sparse-version=1.0"], "GNU.sparse.major" },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    [Trait(Needs.Trait, Needs.Root)]
    public async Task A_sparse_file_is_written_densely_and_umoci_unpacks_the_same_bytes(string name, string[] format, string marker)
    {
        using var dir = new TempDir();
        var layer = await SparseLayerAsync(dir, format);
        AssertSparse(layer, marker, name);
        new SyntheticImage(layer, new LayerTarBuilder().Whiteout("data/dead.txt").Build()).WriteOciLayout(dir.File("in"));

        var result = await RealImageRebuildTests.RebuildAsync($"oci:{dir.File("in")}:latest", $"oci:{dir.File("out")}:latest");

        Assert.Empty(result.KeptLayers);
        Assert.Equal(0, result.DeadBytesAfter);
        foreach (var rewritten in LayerTars(dir.File("out")))
        {
            Assert.DoesNotContain("GNU.sparse", Encoding.Latin1.GetString(rewritten));
            Assert.DoesNotContain("GNUSparseFile", Encoding.Latin1.GetString(rewritten));
        }
        File.Delete(dir.File("root/data/dead.txt"));
        var files = await RootfsWalk.DescribeAsync(dir.File("root"));
        var after = await RootfsWalk.UnpackAndDescribeAsync(dir.File("out"), "latest", dir.File("b"));
        var expected = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(dir.File("root/data/holes.bin"))));
        Assert.Contains(expected, files["data/holes.bin"]);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(new byte[2 * 1024 * 1024])), files["data/all-hole.bin"]);
        Assert.Equal(files, after);
        if (name != "gnu")
        {
            Assert.Equal(files, await RootfsWalk.UnpackAndDescribeAsync(dir.File("in"), "latest", dir.File("a")));
        }
        Assert.Equal(3 * 1024 * 1024, new FileInfo(dir.File("b/rootfs/data/holes.bin")).Length);
        var original = await AnalyzeHelper.AnalyzeAsync($"oci:{dir.File("in")}:latest");
        var rebuilt = await AnalyzeHelper.AnalyzeAsync($"oci:{dir.File("out")}:latest");
        Assert.Equal(original.FinalBytes, rebuilt.FinalBytes);
        Assert.Equal(rebuilt.FinalBytes, rebuilt.SizeBytes);
    }

    [Fact]
    public async Task A_sparse_map_claiming_more_than_the_layer_limit_is_refused_by_the_rebuilds_own_reader_before_expanding()
    {
        // The rebuild's reader expands holes into the spool: a hostile map of a few bytes could claim petabytes.
        // Read directly (no analysis first), under a 1 MiB layer limit, a 0.1 map claims 2 MiB of holes.
        using var dir = new TempDir();
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "holes", [new("GNU.sparse.size", "2097152"), new("GNU.sparse.map", "0,0")]));
        }
        new SyntheticImage(tar.ToArray()).WriteOciLayout(dir.File("in"));
        using var image = await ImageOpener.OpenAsync($"oci:{dir.File("in")}:latest", new ImageOpenOptions());
        var limits = AnalysisLimits.Default with { MaxLayerUncompressedBytes = 1024 * 1024 };

        var refused = await Assert.ThrowsAsync<InvalidImageException>(() => FinalViewReader.ReadAsync(image, 0, limits, CancellationToken.None));

        Assert.Contains("entry 'holes': sparse file claims 2097152 bytes, over the limit of 1048576", refused.Message);
    }

    /// <summary>The layer really holds sparse entries in the format named (else the test proves nothing).</summary>
    private static void AssertSparse(byte[] tar, string marker, string name)
    {
        if (name == "gnu")
        {
            Assert.Contains(Enumerable.Range(0, tar.Length / 512), b => tar[b * 512 + 156] == (byte)'S' && tar.AsSpan(b * 512 + 257, 6).SequenceEqual("ustar "u8));
            return;
        }
        Assert.Contains(marker, Encoding.Latin1.GetString(tar));
    }

    /// <summary>Every gzip blob of a layout, decompressed (layers are the only gzip blobs).</summary>
    private static IEnumerable<byte[]> LayerTars(string layout)
    {
        foreach (var blob in Directory.EnumerateFiles(Path.Combine(layout, "blobs", "sha256")))
        {
            var bytes = File.ReadAllBytes(blob);
            if (bytes is [0x1f, 0x8b, ..])
            {
                using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                var tar = new MemoryStream();
                gz.CopyTo(tar);
                yield return tar.ToArray();
            }
        }
    }
}
