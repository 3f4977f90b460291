using System.Text;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Analyzer.Tests.Images;

/// <summary>Hostile images fail with <see cref="InvalidImageException"/> naming the blob, layer and entry — no crash, no hang.</summary>
public class HostileInputTests
{
    private static readonly byte[] Good = new LayerTarBuilder().Dir("app").File("app/a", 5000, seed: 1).File("app/b", 5000, seed: 2).Build();

    private static async Task<InvalidImageException> FailsAsync(string source, AnalysisLimits? limits = null)
    {
        var task = AnalyzeHelper.AnalyzeAsync(source, limits);
        var finished = await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.Same(task, finished);
        return await Assert.ThrowsAsync<InvalidImageException>(() => task);
    }

    private static string OciWithLayerBlob(TempDir temp, SyntheticImage image, Func<byte[], byte[]> tamper)
    {
        image.WriteOciLayout(temp.File("oci"));
        var digest = SyntheticImage.Sha256(image.Compress(image.LayerTars[0]));
        var path = Path.Combine(temp.File("oci"), "blobs", "sha256", digest[7..]);
        File.WriteAllBytes(path, tamper(File.ReadAllBytes(path)));
        return "oci:" + temp.File("oci");
    }

    [Theory]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    public async Task Truncated_compressed_layer_names_the_layer_and_blob(LayerCompression compression)
    {
        using var temp = new TempDir();
        var image = new SyntheticImage(Good) { Compression = compression };
        var digest = SyntheticImage.Sha256(image.Compress(Good));

        var ex = await FailsAsync(OciWithLayerBlob(temp, image, b => b[..(b.Length / 2)]));

        Assert.Contains("layer 0", ex.Message);
        Assert.Contains(digest, ex.Message);
    }

    [Fact]
    public async Task Corrupt_tar_header_names_the_entry_before_it()
    {
        using var temp = new TempDir();
        // ustar: "app/" header at 0, "app/a" at 512 with 5000 bytes (10 blocks), so "app/b"'s header is at 6144.
        var tar = new LayerTarBuilder(System.Formats.Tar.TarEntryFormat.Ustar).Dir("app").File("app/a", 5000, seed: 1).File("app/b", 5000, seed: 2).Build();
        Assert.Equal("app/b", Encoding.ASCII.GetString(tar, 6144, 5));
        tar[6144 + 148] = (byte)'9'; // not an octal digit: the checksum field is corrupt
        var image = new SyntheticImage(tar) { Compression = LayerCompression.None };
        image.WriteOciLayout(temp.File("oci"));

        var ex = await FailsAsync("oci:" + temp.File("oci"));

        Assert.Contains("layer 0", ex.Message);
        Assert.Contains("corrupt tar header", ex.Message);
        Assert.Contains("app/a", ex.Message);
    }

    [Fact]
    public async Task Digest_mismatch_names_the_blob()
    {
        using var temp = new TempDir();
        var image = new SyntheticImage(Good) { Compression = LayerCompression.None };
        var digest = SyntheticImage.Sha256(Good);

        // Flip one content byte: the tar still parses, only the digest can tell.
        var ex = await FailsAsync(OciWithLayerBlob(temp, image, b => { var c = (byte[])b.Clone(); c[2048 + 10] ^= 0xff; return c; }));

        Assert.Contains("digest mismatch", ex.Message);
        Assert.Contains(digest, ex.Message);
    }

    [Fact]
    public async Task Diff_id_mismatch_is_caught_for_classic_docker_archives_without_blob_digests()
    {
        using var temp = new TempDir();
        var image = new SyntheticImage(Good) { Compression = LayerCompression.None };
        image.WriteDockerArchiveClassic(temp.File("image.tar"));
        var bytes = File.ReadAllBytes(temp.File("image.tar"));
        var marker = Encoding.ASCII.GetBytes("layer.tar");
        var at = bytes.AsSpan().IndexOf(marker);
        // The layer's content starts one block after its header; flip a byte of app/a's data.
        bytes[at - at % 512 + 512 + 2048 + 10] ^= 0xff;
        File.WriteAllBytes(temp.File("image.tar"), bytes);

        var ex = await FailsAsync("docker-archive:" + temp.File("image.tar"));

        Assert.Contains("diff_id mismatch", ex.Message);
        Assert.Contains("layer 0", ex.Message);
    }

    [Fact]
    public async Task Missing_blob_is_named()
    {
        using var temp = new TempDir();
        var image = new SyntheticImage(Good);
        image.WriteOciLayout(temp.File("oci"));
        var digest = SyntheticImage.Sha256(image.Compress(Good));
        File.Delete(Path.Combine(temp.File("oci"), "blobs", "sha256", digest[7..]));

        var ex = await FailsAsync("oci:" + temp.File("oci"));

        Assert.Contains(digest, ex.Message);
        Assert.Contains("missing", ex.Message);
    }

    [Theory]
    [InlineData("[null]", "image @0 is null")]
    [InlineData("[{\"Config\":\"c.json\",\"RepoTags\":[null],\"Layers\":[]}]", "image @0 has a null in RepoTags")]
    [InlineData("[{\"Config\":\"c.json\",\"RepoTags\":[\"a:1\"],\"Layers\":[null]}]", "image @0 has a null in Layers")]
    public async Task Nulls_in_a_docker_manifest_json_are_refused_naming_the_file(string manifest, string expected)
    {
        using var temp = new TempDir();
        var path = temp.File("nulls.tar");
        using (var tar = new System.Formats.Tar.TarWriter(File.Create(path), System.Formats.Tar.TarEntryFormat.Pax))
        {
            SyntheticImage.Add(tar, "c.json", "{}"u8.ToArray());
            SyntheticImage.Add(tar, "manifest.json", Encoding.UTF8.GetBytes(manifest));
        }

        foreach (var source in new[] { $"docker-archive:{path}", $"docker-archive:{path}:@0", $"docker-archive:{path}:a:1" })
        {
            var ex = await FailsAsync(source);
            Assert.Contains("manifest.json", ex.Message, StringComparison.Ordinal);
            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Malformed_index_json_is_rejected()
    {
        using var temp = new TempDir();
        new SyntheticImage(Good).WriteOciLayout(temp.File("oci"));
        File.WriteAllText(Path.Combine(temp.File("oci"), "index.json"), "{\"manifests\": [");

        var ex = await FailsAsync("oci:" + temp.File("oci"));

        Assert.Contains("index.json", ex.Message);
        Assert.Contains("malformed JSON", ex.Message);
    }

    [Fact]
    public async Task Huge_json_is_refused_before_it_is_parsed()
    {
        using var temp = new TempDir();
        new SyntheticImage(Good).WriteOciLayout(temp.File("oci"));
        var index = Path.Combine(temp.File("oci"), "index.json");
        File.WriteAllText(index, "{\"pad\":\"" + new string('x', 200_000) + "\"}");

        var ex = await FailsAsync("oci:" + temp.File("oci"), AnalysisLimits.Default with { MaxJsonBytes = 100_000 });

        Assert.Contains("index.json", ex.Message);
        Assert.Contains("limit", ex.Message);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("app/../../escape")]
    public async Task Path_escaping_the_root_names_the_entry(string name)
    {
        using var temp = new TempDir();
        var tar = new LayerTarBuilder().File("ok", "x").File(name, "boom").Build();
        var image = new SyntheticImage(tar);
        image.WriteOciLayout(temp.File("oci"));

        var ex = await FailsAsync("oci:" + temp.File("oci"));

        Assert.Contains(name, ex.Message);
        Assert.Contains("escapes", ex.Message);
        Assert.Contains("layer 0", ex.Message);
    }

    [Fact]
    public async Task A_file_claiming_more_bytes_than_any_image_holds_names_the_entry()
    {
        // A ustar header whose size field is base-256 (the GNU extension for sizes beyond octal):
        // 2^60 bytes, followed by no data at all.
        var header = new byte[512];
        Encoding.ASCII.GetBytes("huge").CopyTo(header, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 108);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 116);
        header[124] = 0x80;
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(128), 1L << 60);
        Encoding.ASCII.GetBytes("00000000000\0").CopyTo(header, 136);
        header[156] = (byte)'0';
        Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(header, 257);
        "        "u8.CopyTo(header.AsSpan(148));
        var sum = header.Sum(b => (int)b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
        using var temp = new TempDir();
        new SyntheticImage([.. new LayerTarBuilder(System.Formats.Tar.TarEntryFormat.Ustar).File("ok", "x").Build()[..1024], .. header, .. new byte[1024]])
            .WriteOciLayout(temp.File("oci"));

        var ex = await FailsAsync("oci:" + temp.File("oci"));

        Assert.Contains("layer 0", ex.Message);
        Assert.Contains("'huge'", ex.Message);
    }

    [Fact]
    public async Task Decompression_bomb_hits_the_per_layer_limit()
    {
        using var temp = new TempDir();
        var bomb = new LayerTarBuilder().File("zeros", new byte[4_000_000]).Build();
        var image = new SyntheticImage(bomb);
        image.WriteOciLayout(temp.File("oci"));

        var ex = await FailsAsync("oci:" + temp.File("oci"), AnalysisLimits.Default with { MaxLayerUncompressedBytes = 1_000_000 });

        Assert.Contains("limit of 1000000 bytes per layer", ex.Message);
        Assert.Contains(SyntheticImage.Sha256(image.Compress(bomb)), ex.Message);
    }

    [Fact]
    public async Task Decompression_bomb_hits_the_ratio_limit()
    {
        using var temp = new TempDir();
        var image = new SyntheticImage(new LayerTarBuilder().File("zeros", new byte[4_000_000]).Build());
        image.WriteOciLayout(temp.File("oci"));

        var ex = await FailsAsync("oci:" + temp.File("oci"), AnalysisLimits.Default with { MaxCompressionRatio = 50, CompressionRatioGraceBytes = 0 });

        Assert.Contains("compression ratio", ex.Message);
    }

    [Fact]
    public async Task Image_wide_uncompressed_limit_counts_every_layer()
    {
        using var temp = new TempDir();
        var image = new SyntheticImage(Good, Good);
        image.WriteOciLayout(temp.File("oci"));

        var ex = await FailsAsync("oci:" + temp.File("oci"), AnalysisLimits.Default with { MaxImageUncompressedBytes = Good.Length + 1000 });

        Assert.Contains("image's uncompressed size", ex.Message);
    }

    [Fact]
    public async Task Entry_count_and_path_length_limits_name_the_layer()
    {
        using var temp = new TempDir();
        var builder = new LayerTarBuilder();
        for (var i = 0; i < 20; i++)
        {
            builder.File($"f{i}", "x");
        }
        builder.File(new string('d', 300) + "/long", "x");
        new SyntheticImage(builder.Build()).WriteOciLayout(temp.File("oci"));

        var tooMany = await FailsAsync("oci:" + temp.File("oci"), AnalysisLimits.Default with { MaxEntriesPerLayer = 10 });
        var tooLong = await FailsAsync("oci:" + temp.File("oci"), AnalysisLimits.Default with { MaxPathLength = 200 });

        Assert.Contains("more than 10 entries", tooMany.Message);
        Assert.Contains("layer 0", tooMany.Message);
        Assert.Contains("longer than 200", tooLong.Message);
        Assert.Contains("dddd", tooLong.Message);
    }

    [Fact]
    public async Task Compressed_outer_archive_is_refused_with_a_hint()
    {
        using var temp = new TempDir();
        new SyntheticImage(Good).WriteOciArchive(temp.File("image.tar"));
        using (var input = File.OpenRead(temp.File("image.tar")))
        using (var output = new System.IO.Compression.GZipStream(File.Create(temp.File("image.tar.gz")), System.IO.Compression.CompressionLevel.Fastest))
        {
            input.CopyTo(output);
        }

        var ex = await FailsAsync("oci-archive:" + temp.File("image.tar.gz"));

        Assert.Contains("compressed", ex.Message);
    }

    [Fact]
    public async Task Truncated_outer_archive_is_refused()
    {
        using var temp = new TempDir();
        new SyntheticImage(Good).WriteDockerArchiveClassic(temp.File("image.tar"));
        var bytes = File.ReadAllBytes(temp.File("image.tar"));
        File.WriteAllBytes(temp.File("cut.tar"), bytes[..(bytes.Length / 2)]);

        var ex = await FailsAsync("docker-archive:" + temp.File("cut.tar"));

        Assert.Contains("truncated", ex.Message);
    }
}
