using LayerLens.Analyzer.Tests.Analysis;
using LayerLens.Analyzer.Tests.Images;
using System.Text;
using LayerLens.Analyzer.FileTree;
using LayerLens.TestInfrastructure.Synthetic;
using static LayerLens.TestInfrastructure.Synthetic.HandWrittenTar;

namespace LayerLens.Analyzer.Tests.Layers;

/// <summary>
/// Go's archive/tar (Docker, BuildKit) writes a file of 8 GiB or more with a zero size field and its size in a PAX
/// 'size' record. The file's content must be read as content, whatever it looks like, and the entries after it as entries.
/// </summary>
public sealed class PaxSizeRecordTests : IDisposable
{
    private readonly TempDir _temp = new();

    [Fact]
    public async Task A_file_sized_by_its_PAX_record_is_content_even_when_it_looks_like_a_sparse_header()
    {
        // Content that is itself a well-formed old GNU sparse header block, then more bytes.
        var content = new MemoryStream();
        content.Write(HeaderBlock('S', "not-a-header.bin", 10));
        content.Write(Encoding.ASCII.GetBytes(new string('z', 100)));
        var bytes = content.ToArray();
        var pax = Encoding.ASCII.GetBytes(PaxRecord("size", bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        using var tar = new MemoryStream();
        tar.Write(HeaderBlock('x', "PaxHeaders/big.bin", pax.Length));
        Padded(tar, pax);
        tar.Write(HeaderBlock('0', "big.bin", 0)); // the size is in the PAX record only
        Padded(tar, bytes);
        tar.Write(HeaderBlock('0', "dense.bin", bytes.Length));
        Padded(tar, bytes);
        tar.Write(HeaderBlock('0', "after.txt", 5));
        Padded(tar, "after"u8.ToArray());
        tar.Write(new byte[1024]);

        var result = await AnalyzeHelper.AnalyzeAsync(ScenarioAnalysisTests.Write(_temp, new SyntheticImage(tar.ToArray()), "oci"));

        var added = result.Tree.ListDirectory(0, "").Where(e => e.Status == ChangeStatus.Added).Select(e => e.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["after.txt", "big.bin", "dense.bin"], added);
        Assert.Equal(2 * bytes.Length + 5, result.SizeBytes);
        // The same bytes under two names: one is a duplicate of the other.
        Assert.Equal(bytes.Length, result.DuplicateBytes);
    }

    public void Dispose() => _temp.Dispose();
}
