using System.Text;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Tests.Images.Synthetic;
using LayerLens.TestInfrastructure.Processes;

namespace LayerLens.Analyzer.Tests.Images;

/// <summary>
/// GNU sparse files written by GNU tar itself (old GNU 'S', PAX 0.1 and PAX 1.0) next to a dense copy
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
        WriteFile("dense", "dense.bin", sparse: false);
        var gnu = await TarAsync("gnu", "--sparse", "--format=gnu");
        var pax01 = await TarAsync("pax01", "--sparse", "--format=posix", "--sparse-version=0.1");
        var pax10 = await TarAsync("pax10", "--sparse", "--format=posix", "--sparse-version=1.0");
        var dense = await TarAsync("dense", "--format=gnu");

        // The fixtures really are what they claim (GNU tar decides by looking at the file).
        Assert.Contains(TypeFlags(gnu), f => f == 'S');
        Assert.Contains("GNU.sparse.map", Encoding.ASCII.GetString(pax01));
        Assert.Contains("GNU.sparse.major=1", Encoding.ASCII.GetString(pax10));
        Assert.True(gnu.Length < RealSize / 2 && pax01.Length < RealSize / 2 && pax10.Length < RealSize / 2);
        return new SyntheticImage(gnu, pax01, pax10, dense);
    }

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

        Assert.Equal([RealSize, RealSize, RealSize, RealSize], result.Layers.Select(l => l.SizeBytes));
        Assert.Equal(4 * RealSize, result.FinalBytes);
        Assert.Equal(4, result.FileCount);
        // Same expanded bytes everywhere: three of the four are duplicates of the first.
        Assert.Equal(3 * RealSize, result.DuplicateBytes);
        // The real names, not GNU tar's GNUSparseFile.N placeholders.
        var names = Enumerable.Range(0, 4).SelectMany(layer => result.Tree.ListDirectory(layer, "").Where(e => e.Status == LayerLens.Analyzer.FileTree.ChangeStatus.Added).Select(e => e.Name)).ToList();
        Assert.Equal(["old-gnu.bin", "pax-0.1.bin", "pax-1.0.bin", "dense.bin"], names);
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

    public void Dispose() => _temp.Dispose();
}
