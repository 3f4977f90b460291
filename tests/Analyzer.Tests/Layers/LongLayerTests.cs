using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Tests.Images;
using System.Formats.Tar;
using LayerLens.Analyzer.Images;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Analyzer.Tests.Layers;

/// <summary>
/// Layers of many thousands of entries with every padding length, long names and links: each
/// entry is read whole and in place however long the layer (contents are checked through
/// duplicates that lie thousands of entries apart), and a layer cut inside an entry is refused.
/// </summary>
public class LongLayerTests
{
    private const int Files = 10_000;
    private const int Unique = 6_000;
    private const int LongName = 120;

    private static int SizeOf(int file) => (file % Unique * 37 % 1300) + 1;

    private static string NameOf(int file) => $"d{file / 1000}/{new string('n', LongName)}{file}";

    /// <summary>The layer tar, and the offset where each entry's data and padding end.</summary>
    private static (byte[] Tar, List<long> Ends) Layer(TarEntryFormat format)
    {
        var tar = new MemoryStream();
        var ends = new List<long>();
        using (var writer = new TarWriter(tar, format, leaveOpen: true))
        {
            for (var i = 0; i < Files; i++)
            {
                if (i % 1000 == 0)
                {
                    writer.WriteEntry(Entry(format, TarEntryType.Directory, $"d{i / 1000}/"));
                    ends.Add(tar.Position);
                }
                var content = new byte[SizeOf(i)];
                new Random(i % Unique).NextBytes(content);
                var file = Entry(format, TarEntryType.RegularFile, NameOf(i));
                file.DataStream = new MemoryStream(content);
                writer.WriteEntry(file);
                ends.Add(tar.Position);
                if (i % 500 == 0)
                {
                    var link = Entry(format, TarEntryType.SymbolicLink, NameOf(i) + ".link");
                    link.LinkName = new string('t', LongName);
                    writer.WriteEntry(link);
                    ends.Add(tar.Position);
                }
            }
        }
        return (tar.ToArray(), ends);
    }

    private static TarEntry Entry(TarEntryFormat format, TarEntryType type, string name) => format switch
    {
        TarEntryFormat.Gnu => new GnuTarEntry(type, name),
        _ => new PaxTarEntry(type, name),
    };

    private static async Task<LayerLens.Analyzer.Analysis.ImageAnalysis> AnalyzeAsync(byte[] tar)
    {
        using var temp = new TempDir();
        new SyntheticImage(tar) { Compression = LayerCompression.None }.WriteOciLayout(temp.File("oci"));
        return await AnalyzeHelper.AnalyzeAsync("oci:" + temp.File("oci"));
    }

    [Theory]
    [InlineData(TarEntryFormat.Pax)]
    [InlineData(TarEntryFormat.Gnu)]
    public async Task Every_entry_of_a_long_layer_is_read_whole(TarEntryFormat format)
    {
        var a = await AnalyzeAsync(Layer(format).Tar);

        var sizes = Enumerable.Range(0, Files).Sum(i => (long)SizeOf(i));
        var copies = Enumerable.Range(Unique, Files - Unique).Sum(i => (long)SizeOf(i));
        var links = Files / 500;
        Assert.Equal(Files + Files / 1000 + links, a.Layers[0].EntryCount);
        Assert.Equal(sizes, a.SizeBytes);
        Assert.Equal(sizes, a.FinalBytes);
        Assert.Equal(Files, a.FileCount); // symlinks are not files
        // File i ≥ 6,000 repeats the bytes of file i − 6,000 and nothing else repeats: only equal
        // hashes of contents read in full give this sum.
        Assert.Equal(copies, a.DuplicateBytes);
        var last = a.Tree.ListDirectory(0, "d9").Single(e => e.Name == NameOf(Files - 1)[3..]);
        Assert.Equal(SizeOf(Files - 1), last.Size);
        var link = a.Tree.ListDirectory(0, "d9").Single(e => e.Name == NameOf(9500)[3..] + ".link");
        Assert.Equal(new string('t', LongName), link.LinkTarget);
    }

    [Fact]
    public async Task A_long_layer_cut_inside_an_entry_is_refused_naming_the_layer()
    {
        var (tar, ends) = Layer(TarEntryFormat.Pax);
        // Inside the data or the block padding of entries thousands of entries in.
        foreach (var entry in new[] { 4094, 4095, 4096, 4097, 4098, 8191, 8192, 8193 })
        {
            foreach (var cut in new[] { ends[entry] - 1, ends[entry] - 300 })
            {
                var ex = await Assert.ThrowsAsync<InvalidImageException>(() => AnalyzeAsync(tar[..(int)cut]));
                Assert.Contains("layer 0", ex.Message, StringComparison.Ordinal);
                Assert.Contains("entry 'd", ex.Message, StringComparison.Ordinal);
            }
        }
    }
}
