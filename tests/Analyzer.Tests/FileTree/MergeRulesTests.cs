using System.Formats.Tar;
using LayerLens.Analyzer.FileTree;
using LayerLens.Analyzer.Layers;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.Tests.FileTree;

/// <summary>Edge cases of PRODUCT.md's merge rules, one small image each.</summary>
public class MergeRulesTests
{
    private static async Task<LayerLens.Analyzer.Analysis.ImageAnalysis> AnalyzeLayersAsync(params byte[][] layers)
    {
        using var temp = new TempDir();
        new SyntheticImage(layers).WriteOciLayout(temp.File("oci"));
        return await AnalyzeHelper.AnalyzeAsync("oci:" + temp.File("oci"));
    }

    [Fact]
    public async Task Links_to_a_deleted_target_carry_its_content_once()
    {
        var a = await AnalyzeLayersAsync(
            new LayerTarBuilder().File("orig", 700, seed: 1).HardLink("l1", "orig").HardLink("l2", "orig").Build(),
            new LayerTarBuilder().Whiteout("orig").Build());

        Assert.Equal(700, a.SizeBytes);       // links ship 0 bytes
        Assert.Equal(700, a.FinalBytes);      // the content is still reachable, counted once
        Assert.Equal(0, a.WastedBytes);
        Assert.Equal(2, a.FileCount);         // l1 and l2
        Assert.Equal(0, a.DuplicateBytes);    // links of one another are not duplicates
    }

    [Fact]
    public async Task Implicit_parent_directories_are_shown_but_not_counted_as_written()
    {
        var a = await AnalyzeLayersAsync(new LayerTarBuilder().File("a/b/c", "x").Build());

        Assert.Equal(1, a.Layers[0].Added);
        var root = Assert.Single(a.Tree.ListDirectory(0, ""));
        Assert.Equal(("a", EntryKind.Directory, true, ChangeStatus.Added), (root.Name, root.Kind, root.Implicit, root.Status));
        Assert.Equal("c", Assert.Single(a.Tree.ListDirectory(0, "a/b")).Name);
    }

    [Fact]
    public async Task A_file_over_a_directory_hides_it_as_overwritten_not_removed()
    {
        var a = await AnalyzeLayersAsync(
            new LayerTarBuilder().Dir("d").File("d/x", 100, seed: 1).File("d/y", 200, seed: 2).Build(),
            new LayerTarBuilder().File("d", 5, seed: 3).Build());

        Assert.Equal(0, a.Layers[1].Removed);
        Assert.Equal(1, a.Layers[1].Modified);
        Assert.Equal(300, a.WastedBytes);
        var item = Assert.Single(a.Waste);
        Assert.Equal((WasteKind.Overwritten, "d", 300L, 0, 1, 2), (item.Kind, item.Path, item.Bytes, item.LayerIndex, item.CauseLayerIndex, item.Files));
    }

    [Fact]
    public async Task A_file_written_over_a_directory_of_the_same_layer_is_the_final_entry_at_any_size()
    {
        // Hiding the children appends events; at some counts that grows the event list mid-merge.
        for (var children = 1; children <= 40; children++)
        {
            var layer = new LayerTarBuilder().Dir("d");
            for (var c = 0; c < children; c++)
            {
                layer.File($"d/f{c:D2}", 10, seed: c + 1);
            }
            var a = await AnalyzeLayersAsync(layer.File("d", 7, seed: 99).Build());

            Assert.Equal(10L * children + 7, a.SizeBytes);
            Assert.Equal(7, a.FinalBytes);
            Assert.Equal(1, a.FileCount);
            var d = Assert.Single(a.Tree.ListDirectory(0, ""));
            Assert.Equal(("d", EntryKind.File), (d.Name, d.Kind));
        }
    }

    [Fact]
    public async Task Aufs_metadata_whiteouts_are_ignored_and_opaque_at_root_clears_everything_below()
    {
        var a = await AnalyzeLayersAsync(
            new LayerTarBuilder().File("keep", 10, seed: 1).Dir("etc").File("etc/conf", 20, seed: 2).Build(),
            new LayerTarBuilder().File(".wh..wh.plnk/123.456", []).Opaque("").File("new", 30, seed: 3).Build());

        Assert.Equal(30, a.FinalBytes);
        Assert.Equal(3, a.Layers[1].Removed); // keep, etc, etc/conf
        Assert.Equal(1, a.Layers[1].Added);   // new (the .wh..wh.plnk entry is metadata)
    }

    [Fact]
    public async Task Recreating_a_whited_out_path_in_the_same_layer_counts_it_as_added()
    {
        var a = await AnalyzeLayersAsync(
            new LayerTarBuilder().Dir("d").File("d/old", 50, seed: 1).Build(),
            new LayerTarBuilder().Whiteout("d").Dir("d").File("d/new", 60, seed: 2).Build());

        Assert.Equal((2, 0, 2), (a.Layers[1].Added, a.Layers[1].Modified, a.Layers[1].Removed));
        Assert.Equal(60, a.FinalBytes);
        Assert.Equal([("new", ChangeStatus.Added), ("old", ChangeStatus.Removed)], a.Tree.ListDirectory(1, "d").Select(e => (e.Name, e.Status)));
    }

    [Theory]
    [InlineData(TarEntryFormat.Gnu)]
    [InlineData(TarEntryFormat.Pax)]
    [InlineData(TarEntryFormat.Ustar)]
    [InlineData(TarEntryFormat.V7)]
    public async Task Every_tar_flavour_and_long_names_are_read(TarEntryFormat format)
    {
        var longName = string.Join('/', Enumerable.Range(0, 12).Select(i => $"directory{i:D2}")) + "/file.txt"; // 140 characters
        var name = format is TarEntryFormat.V7 or TarEntryFormat.Ustar ? "short/file.txt" : longName;
        var a = await AnalyzeLayersAsync(new LayerTarBuilder(format).File(name, 1234, seed: 1).Symlink("link", name).Build());

        Assert.Equal(1234, a.FinalBytes);
        var dir = name[..name.LastIndexOf('/')];
        Assert.Equal("file.txt", Assert.Single(a.Tree.ListDirectory(0, dir)).Name);
    }

    [Theory]
    [InlineData("./a/b", "a/b")]
    [InlineData("/a//b/", "a/b")]
    [InlineData("a/./b/../c", "a/c")]
    [InlineData("..", null)]
    [InlineData("a/../../b", null)]
    public void Paths_are_normalised(string raw, string? expected)
    {
        Assert.Equal(expected, PathNormalizer.Normalize(raw));
    }
}
