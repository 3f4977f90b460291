using System.Formats.Tar;
using System.Text;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Rebuild;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Analyzer.Tests.Rebuild;

/// <summary>
/// The opt-in changes where they meet kept layers, with hand-written layers: junk a kept layer showed (an empty
/// file, filled later) must be whited out, and a rewritten duplicate of a kept file links to it.
/// Layer 0 (kept: no dead bytes): /tmp, /tmp/cache (empty), /app/kept.txt, an empty /app/__pycache__. Layer 1: /app/a.bin (overwritten
/// later, so layers 1+ are rewritten), /app/kept-copy (= kept.txt), /app/dup1 = /app/dup2, /app/__pycache__/m.pyc.
/// Layer 2: /app/a.bin again, /tmp/cache filled, /app/dup3 (the dups' bytes, another mode).
/// </summary>
[Trait(Needs.Trait, Needs.Root)]
public class SyntheticRebuildOptionsTests
{
    private static byte[] Tar(Action<TarWriter> write)
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            write(w);
        }
        return ms.ToArray();
    }

    private static PaxTarEntry Entry(string name, string? content = null, int mode = 0x1a4)
    {
        var e = new PaxTarEntry(content is null && name.EndsWith('/') ? TarEntryType.Directory : TarEntryType.RegularFile, name)
        {
            ModificationTime = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero),
            Mode = name.EndsWith('/') ? (UnixFileMode)0x1ed : (UnixFileMode)mode,
        };
        if (content is not null)
        {
            e.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
        }
        return e;
    }

    private static SyntheticImage Image() => new(
        Tar(w =>
        {
            w.WriteEntry(Entry("tmp/"));
            w.WriteEntry(Entry("tmp/cache", ""));
            w.WriteEntry(Entry("app/"));
            w.WriteEntry(Entry("app/kept.txt", "kept"));
            w.WriteEntry(Entry("app/__pycache__/"));
        }),
        Tar(w =>
        {
            w.WriteEntry(Entry("app/a.bin", "aaaaaaaaaa"));
            w.WriteEntry(Entry("app/kept-copy", "kept"));
            w.WriteEntry(Entry("app/dup1", "same content"));
            w.WriteEntry(Entry("app/dup2", "same content"));
            w.WriteEntry(Entry("app/__pycache__/"));
            w.WriteEntry(Entry("app/__pycache__/m.pyc", "bytecode"));
        }),
        Tar(w =>
        {
            w.WriteEntry(Entry("app/a.bin", "new"));
            w.WriteEntry(Entry("tmp/cache", "filled"));
            w.WriteEntry(Entry("app/dup3", "same content", mode: 0x180));
        }));

    [Fact]
    public async Task Dropped_junk_a_kept_layer_showed_is_whited_out_and_a_duplicate_links_to_a_kept_file()
    {
        using var dir = new TempDir();
        Image().WriteOciLayout(dir.File("in"));
        var source = await AnalyzeHelper.AnalyzeAsync($"oci:{dir.File("in")}:latest");

        var result = await ImageRebuilder.RunAsync(new RebuildRequest(ImageSourceSpec.Parse($"oci:{dir.File("in")}:latest"), new ImageOpenOptions(),
            RebuildDestination.Parse($"oci:{dir.File("out")}:latest"))
        {
            DropJunk = true,
            LinkDuplicates = true,
        });

        Assert.Equal([source.Layers[0].Digest], result.KeptLayers.Select(k => k.Digest));
        Assert.Equal(["app/__pycache__", "app/__pycache__/m.pyc", "app/dup1", "app/dup2", "app/kept-copy", "app/kept.txt", "tmp/cache"],
            result.ChangedPaths.Select(c => c.Path));
        Assert.Equal("kept".Length + "same content".Length, result.DuplicateBytesSaved);
        Assert.Equal("bytecode".Length + "filled".Length, result.JunkBytesDropped);
        Assert.Equal(0, result.DeadBytesAfter);

        var before = await RootfsWalk.UnpackAndDescribeAsync(dir.File("in"), "latest", dir.File("a"));
        var after = await RootfsWalk.UnpackAndDescribeAsync(dir.File("out"), "latest", dir.File("b"));
        Assert.True(before.ContainsKey("tmp/cache"));
        Assert.False(after.ContainsKey("tmp/cache"));
        Assert.True(before.ContainsKey("app/__pycache__"));
        Assert.False(after.ContainsKey("app/__pycache__"));
        Assert.Equal(before["tmp"], after["tmp"]);
        Assert.Equal(before["app/dup2"] + " linked to app/dup1", after["app/dup2"]);
        Assert.Equal(before["app/kept.txt"] + " linked to app/kept-copy", after["app/kept.txt"]);
        Assert.Equal(before["app/dup3"], after["app/dup3"]);
        var untouched = before.Keys.Except(result.ChangedPaths.Select(c => c.Path)).ToList();
        Assert.Equal(untouched.Select(p => before[p]), untouched.Select(p => after[p]));
    }
}
