using LayerLens.Analyzer.Tests.Analysis;
using LayerLens.Analyzer.Tests.Images;
using System.Text;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.FileTree;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Layers;
using LayerLens.TestInfrastructure.Synthetic;
using static LayerLens.TestInfrastructure.Synthetic.HandWrittenTar;

namespace LayerLens.Analyzer.Tests.Layers;

/// <summary>
/// Metadata entries (PAX 'x'/'g', GNU long names 'L'/'K') whose size field claims gigabytes: refused as bad input
/// naming what and how large, before anything of that size is allocated.
/// </summary>
public sealed class HostileTarHeaderTests : IDisposable
{
    private const string Layer = "layer 1 of 1";
    private readonly TempDir _temp = new();

    /// <summary>A good file, then a metadata header claiming <paramref name="size"/> bytes followed by only 4 KiB (truncated).</summary>
    private static byte[] LayerWithHugeMetadata(char type, long size)
    {
        using var tar = new MemoryStream();
        tar.Write(HeaderBlock('0', "first.txt", 5));
        Padded(tar, "hello"u8.ToArray());
        tar.Write(HeaderBlock(type, type is 'x' or 'g' ? "PaxHeaders/huge" : "././@LongLink", size));
        tar.Write(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(PaxRecord("comment", new string('a', 100)), 40))));
        return tar.ToArray();
    }

    [Theory]
    [InlineData('x', 2_000_000_000L, "PAX extended header ('x')")]
    [InlineData('g', 2_000_000_000L, "PAX global header ('g')")]
    [InlineData('L', 2_000_000_000L, "GNU long name header ('L')")]
    [InlineData('K', 2_000_000_000L, "GNU long link name header ('K')")]
    // Past Array.MaxLength, below 4 GiB: TarReader's own refusal is an InvalidOperationException.
    [InlineData('x', 3_000_000_000L, "PAX extended header ('x')")]
    [InlineData('L', 3_000_000_000L, "GNU long name header ('L')")]
    public void A_metadata_entry_claiming_gigabytes_is_refused_naming_it_without_allocating_it(char type, long size, string what)
    {
        var layer = LayerWithHugeMetadata(type, size);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var ex = Assert.Throws<InvalidImageException>(() =>
            LayerTarReader.Read(new MemoryStream(layer), 0, Layer, new PathTable(), AnalysisLimits.Default));

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64L * 1024 * 1024, $"allocated {allocated:N0} bytes");
        Assert.Equal($"{Layer}: {what} after entry 'first.txt' has {size:N0} bytes, over the limit of 4,194,304", ex.Message);
    }

    [Fact]
    public async Task A_whole_image_with_a_huge_PAX_header_fails_as_bad_input()
    {
        var image = new SyntheticImage(new LayerTarBuilder().File("ok", 10, seed: 1).Build(), LayerWithHugeMetadata('x', 3_000_000_000L));

        var ex = await Assert.ThrowsAsync<InvalidImageException>(() => AnalyzeHelper.AnalyzeAsync(ScenarioAnalysisTests.Write(_temp, image, "oci")));

        Assert.Contains("PAX extended header ('x') after entry 'first.txt' has 3,000,000,000 bytes", ex.Message);
    }

    public void Dispose() => _temp.Dispose();
}
