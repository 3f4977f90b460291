using LayerLens.Analyzer.Tests.Analysis;
using LayerLens.Analyzer.Tests.Images;
using System.Text;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images;
using LayerLens.TestInfrastructure.Synthetic;
using static LayerLens.TestInfrastructure.Synthetic.HandWrittenTar;
using LayerLens.TestInfrastructure.Processes;

namespace LayerLens.Analyzer.Tests.Layers;

/// <summary>
/// GNU sparse files written by GNU tar itself (old GNU 'S', PAX 0.0, 0.1 and 1.0) next to a dense copy
/// of the same bytes: each counts its real size and has the same content as the dense copy.
/// </summary>
public sealed class SparseFileTests : IDisposable
{
    // Two data islands in a mostly empty file: holes before, between and after them.
    private const long RealSize = 3 * 1024 * 1024 + 100;
    private static readonly (long Offset, string Text)[] Islands = [(64 * 1024, "hello sparse world"), (2 * 1024 * 1024 + 7, "second island")];
    private readonly TempDir _temp = new();

    private string WriteFile(string dir, string name, bool sparse)
    {
        var path = Path.Combine(_temp.Path, dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = File.Create(path);
        if (sparse)
        {
            file.SetLength(RealSize); // holes: the file system stores nothing there
            foreach (var (offset, text) in Islands)
            {
                file.Position = offset;
                file.Write(Encoding.ASCII.GetBytes(text));
            }
        }
        else
        {
            var bytes = new byte[RealSize]; // the same content with every zero written out
            foreach (var (offset, text) in Islands)
            {
                Encoding.ASCII.GetBytes(text).CopyTo(bytes, offset);
            }
            file.Write(bytes);
        }
        return path;
    }

    private async Task<byte[]> TarAsync(string dir, params string[] options)
    {
        var output = Path.Combine(_temp.Path, dir + ".tar");
        await ProcessRunner.RunAsync("tar", [.. options, "-cf", output, "-C", Path.Combine(_temp.Path, dir), "."]);
        return await File.ReadAllBytesAsync(output);
    }

    private async Task<SyntheticImage> ImageAsync()
    {
        WriteFile("gnu", "old-gnu.bin", sparse: true);
        WriteFile("pax01", "pax-0.1.bin", sparse: true);
        WriteFile("pax10", "pax-1.0.bin", sparse: true);
        WriteFile("pax00", "pax-0.0.bin", sparse: true);
        WriteFile("dense", "dense.bin", sparse: false);
        var gnu = await TarAsync("gnu", "--sparse", "--format=gnu");
        var pax00 = await TarAsync("pax00", "--sparse", "--format=pax", "--sparse-version=0.0");
        var pax01 = await TarAsync("pax01", "--sparse", "--format=posix", "--sparse-version=0.1");
        var pax10 = await TarAsync("pax10", "--sparse", "--format=posix", "--sparse-version=1.0");
        var dense = await TarAsync("dense", "--format=gnu");

        // The fixtures really are what they claim (GNU tar decides by looking at the file).
        Assert.Contains(TypeFlags(gnu), f => f == 'S');
        Assert.Contains("GNU.sparse.map", Encoding.ASCII.GetString(pax01));
        Assert.Contains("GNU.sparse.major=1", Encoding.ASCII.GetString(pax10));
        // 0.0 repeats GNU.sparse.offset/GNU.sparse.numbytes once per segment in one PAX header.
        Assert.Equal(Islands.Length + 1, CountOf(Encoding.ASCII.GetString(pax00), " GNU.sparse.offset="));
        Assert.True(gnu.Length < RealSize / 2 && pax01.Length < RealSize / 2 && pax10.Length < RealSize / 2 && pax00.Length < RealSize / 2);
        return new SyntheticImage(gnu, pax01, pax10, pax00, dense);
    }

    private static int CountOf(string text, string token) => (text.Length - text.Replace(token, "", StringComparison.Ordinal).Length) / token.Length;

    /// <summary>The type flag of every 512-byte header block tar wrote (blocks whose ustar magic is at 257).</summary>
    private static IEnumerable<char> TypeFlags(byte[] tar)
    {
        for (var at = 0; at + 512 <= tar.Length; at += 512)
        {
            if (tar.AsSpan(at + 257, 5).SequenceEqual("ustar"u8))
            {
                yield return (char)tar[at + 156];
            }
        }
    }

    [Fact]
    public async Task Sparse_files_count_their_real_size_and_hash_like_their_dense_copy()
    {
        var image = await ImageAsync();

        var result = await AnalyzeHelper.AnalyzeAsync(ScenarioAnalysisTests.Write(_temp, image, "oci"));

        Assert.Equal([RealSize, RealSize, RealSize, RealSize, RealSize], result.Layers.Select(l => l.SizeBytes));
        Assert.Equal(5 * RealSize, result.FinalBytes);
        Assert.Equal(5, result.FileCount);
        // Same expanded bytes everywhere: four of the five are duplicates of the first.
        Assert.Equal(4 * RealSize, result.DuplicateBytes);
        // The real names, not GNU tar's GNUSparseFile.N placeholders.
        var names = Enumerable.Range(0, 5).SelectMany(layer => result.Tree.ListDirectory(layer, "").Where(e => e.Status == LayerLens.Analyzer.FileTree.ChangeStatus.Added).Select(e => e.Name)).ToList();
        Assert.Equal(["old-gnu.bin", "pax-0.1.bin", "pax-1.0.bin", "pax-0.0.bin", "dense.bin"], names);
    }

    [Fact]
    public async Task A_sparse_file_larger_than_the_layer_limit_is_refused_naming_it()
    {
        var image = new SyntheticImage((await ImageAsync()).LayerTars[2]);
        var limits = AnalysisLimits.Default with { MaxLayerUncompressedBytes = RealSize - 1 };

        var ex = await Assert.ThrowsAsync<InvalidImageException>(() => AnalyzeHelper.AnalyzeAsync(ScenarioAnalysisTests.Write(_temp, image, "oci"), limits));

        Assert.Contains("pax-1.0.bin", ex.Message);
        Assert.Contains("over the limit", ex.Message);
    }

    /// <summary>A layer of one PAX sparse 0.0 entry 'bad.bin' with 10 data bytes and the given sparse records.</summary>
    private static byte[] Pax00Layer(IEnumerable<(string Key, string Value)> sparse)
    {
        var records = new StringBuilder(PaxRecord("GNU.sparse.size", "100"));
        foreach (var (key, value) in sparse)
        {
            records.Append(PaxRecord(key, value));
        }
        var pax = Encoding.ASCII.GetBytes(records.ToString());
        using var tar = new MemoryStream();
        tar.Write(HeaderBlock('x', "PaxHeaders/bad.bin", pax.Length));
        Padded(tar, pax);
        tar.Write(HeaderBlock('0', "bad.bin", 10));
        Padded(tar, Encoding.ASCII.GetBytes("0123456789"));
        tar.Write(new byte[1024]);
        return tar.ToArray();
    }

    private static IEnumerable<(string, string)> Pairs(params long[] numbers) =>
        numbers.Select((n, i) => (i % 2 == 0 ? "GNU.sparse.offset" : "GNU.sparse.numbytes", n.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public async Task A_hand_written_sparse_0_0_entry_is_read_and_hostile_maps_are_refused_naming_the_entry()
    {
        // Well-formed: 10 data bytes at offset 40 of a 100-byte file.
        var good = await AnalyzeHelper.AnalyzeAsync(ScenarioAnalysisTests.Write(_temp, new SyntheticImage(Pax00Layer(Pairs(40, 10))), "oci"));
        Assert.Equal(100, good.SizeBytes);

        var hostile = new (string Why, IEnumerable<(string, string)> Records)[]
        {
            ("GNU.sparse.offset 90 without its GNU.sparse.numbytes", Pairs(40, 10, 90)),
            ("GNU.sparse.numbytes without a GNU.sparse.offset", [("GNU.sparse.numbytes", "10"), .. Pairs(40, 10)]),
            ("GNU.sparse.numblocks=99999999999999 but the header lists 1 segments", [("GNU.sparse.numblocks", "99999999999999"), .. Pairs(40, 10)]),
            ("GNU.sparse.offset '-1' is not a number", Pairs(-1, 10)),
            ("more than 65,536 segments (limit)", Pairs([.. Enumerable.Range(0, 65_537).SelectMany(i => new long[] { i, 0 })])),
        };
        foreach (var (why, records) in hostile)
        {
            var image = new SyntheticImage(Pax00Layer(records));
            var ex = await Assert.ThrowsAsync<InvalidImageException>(() => AnalyzeHelper.AnalyzeAsync(ScenarioAnalysisTests.Write(_temp, image, "oci")));
            Assert.Contains("entry 'bad.bin': GNU sparse 0.0 map unusable: " + why, ex.Message);
        }

        // A header past the size read whole is refused as such.
        var huge = new SyntheticImage(Pax00Layer(Pairs([.. Enumerable.Range(0, 80_000).SelectMany(i => new long[] { 1_000_000_000L + i, 0 })])));
        var tooBig = await Assert.ThrowsAsync<InvalidImageException>(() => AnalyzeHelper.AnalyzeAsync(ScenarioAnalysisTests.Write(_temp, huge, "oci")));
        Assert.Contains("PAX extended header ('x') at the first entry has", tooBig.Message);
        Assert.Contains("over the limit of 4,194,304", tooBig.Message);
    }

    public void Dispose() => _temp.Dispose();
}
