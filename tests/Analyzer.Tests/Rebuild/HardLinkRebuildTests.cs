using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Rebuild;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Analyzer.Tests.Rebuild;

/// <summary>
/// Hard links at the edges: a target that is not there when the link is unpacked (no runtime can link(2) it: both
/// `analyze` and `rebuild` refuse the image with the same message, and the rebuild writes nothing), and targets
/// a runtime does link (deleted by a later layer; a symlink or a fifo), which both accept and the rebuild carries.
/// </summary>
public class HardLinkRebuildTests
{
    private static SyntheticImage Image(params byte[][] upper) =>
        new([new LayerTarBuilder().Dir("etc").File("etc/a", "a content").Dir("etc/sub").Build(), .. upper]);

    [Theory]
    [InlineData("etc/missing", "not present at this point")]
    [InlineData("etc/gone", "not present at this point")]
    [InlineData("etc/sub", "a directory")]
    [InlineData("data/l", "the link itself")]
    public async Task A_hard_link_no_runtime_can_unpack_is_refused_by_analyze_and_rebuild_alike_and_nothing_is_written(string target, string why)
    {
        using var dir = new TempDir();
        // etc/gone exists in layer 1 but its own layer removes it first (whiteouts apply before the layer's entries).
        var layer1 = new LayerTarBuilder().Dir("data").Whiteout("etc/gone").HardLink("data/l", target).Build();
        var image = new SyntheticImage(
            new LayerTarBuilder().Dir("etc").File("etc/a", "a content").File("etc/gone", "soon gone").Dir("etc/sub").Build(), layer1);
        image.WriteOciLayout(dir.File("in"));
        var source = $"oci:{dir.File("in")}:latest";
        var expected = $"layer 1 (blob {SyntheticImage.Sha256(image.Compress(layer1))}), entry 'data/l': hard link to '{target}', which is {why}";

        var analyzed = await Assert.ThrowsAsync<InvalidImageException>(() => AnalyzeHelper.AnalyzeAsync(source));
        var rebuilt = await Assert.ThrowsAsync<InvalidImageException>(() => RealImageRebuildTests.RebuildAsync(source, $"oci:{dir.File("out")}:latest"));

        Assert.Equal(expected, analyzed.Message);
        Assert.Equal(expected, rebuilt.Message);
        Assert.Equal([dir.File("in")], Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public async Task The_rebuilds_own_reader_refuses_a_link_to_a_missing_target_with_the_analysis_message()
    {
        // FinalViewReader is also the proof's reader: it must refuse on its own, not rely on the analysis running first.
        using var dir = new TempDir();
        var layer1 = new LayerTarBuilder().HardLink("data/l", "etc/missing").Build();
        Image(layer1).WriteOciLayout(dir.File("in"));
        using var image = await ImageOpener.OpenAsync($"oci:{dir.File("in")}:latest", new ImageOpenOptions());

        var refused = await Assert.ThrowsAsync<InvalidImageException>(() => FinalViewReader.ReadAsync(image, 0, AnalysisLimits.Default, CancellationToken.None));

        Assert.EndsWith("entry 'data/l': hard link to 'etc/missing', which is not present at this point", refused.Message);
        Assert.StartsWith("layer 1 (blob sha256:", refused.Message);
    }

    [Fact]
    [Trait(Needs.Trait, Needs.Root)]
    public async Task A_hard_link_whose_target_a_later_layer_deletes_survives_as_the_file()
    {
        using var dir = new TempDir();
        Image(
            new LayerTarBuilder().Dir("data").HardLink("data/l", "etc/a").HardLink("data/m", "etc/a").Build(),
            new LayerTarBuilder().Whiteout("etc/a").Build()).WriteOciLayout(dir.File("in"));

        var result = await RealImageRebuildTests.RebuildAsync($"oci:{dir.File("in")}:latest", $"oci:{dir.File("out")}:latest");

        Assert.Equal(0, result.DeadBytesAfter);
        using var rebuilt = await ImageOpener.OpenAsync($"oci:{dir.File("out")}:latest", new ImageOpenOptions());
        var view = await FinalViewReader.ReadAsync(rebuilt, rebuilt.Layers.Count, AnalysisLimits.Default, CancellationToken.None);
        Assert.False(view.Entries.ContainsKey("etc/a"));
        Assert.Equal((FinalEntryType.File, 9L), (view.Entries["data/l"].Type, view.Entries["data/l"].Size));
        Assert.Equal("data/l", view.HardLinkLeaders()["data/m"]);
        var before = await RootfsWalk.UnpackAndDescribeAsync(dir.File("in"), "latest", dir.File("a"));
        var after = await RootfsWalk.UnpackAndDescribeAsync(dir.File("out"), "latest", dir.File("b"));
        Assert.Contains("linked to data/l", before["data/m"]);
        Assert.Equal(before, after);
    }

    [Fact]
    [Trait(Needs.Trait, Needs.Root)]
    public async Task A_link_to_an_empty_file_of_a_kept_layer_that_a_later_layer_deletes_becomes_the_file_beside_a_whiteout()
    {
        // An empty file deleted later is no dead byte, so its layer is kept: the rewritten layer must carry the
        // link as the file itself (its target is gone) and a whiteout for the kept path.
        using var dir = new TempDir();
        new SyntheticImage(
            new LayerTarBuilder().Dir("etc").File("etc/empty", "").Build(),
            new LayerTarBuilder().Dir("data").HardLink("data/l", "etc/empty").File("data/over", "dead soon").Build(),
            new LayerTarBuilder().Whiteout("etc/empty").File("data/over", "new").Build()).WriteOciLayout(dir.File("in"));

        var result = await RealImageRebuildTests.RebuildAsync($"oci:{dir.File("in")}:latest", $"oci:{dir.File("out")}:latest");

        Assert.Single(result.KeptLayers);
        using var rebuilt = await ImageOpener.OpenAsync($"oci:{dir.File("out")}:latest", new ImageOpenOptions());
        var view = await FinalViewReader.ReadAsync(rebuilt, rebuilt.Layers.Count, AnalysisLimits.Default, CancellationToken.None);
        Assert.False(view.Entries.ContainsKey("etc/empty"));
        Assert.Equal((FinalEntryType.File, 0L, -1), (view.Entries["data/l"].Type, view.Entries["data/l"].Size, view.Entries["data/l"].LinkGroup));
        var before = await RootfsWalk.UnpackAndDescribeAsync(dir.File("in"), "latest", dir.File("a"));
        var after = await RootfsWalk.UnpackAndDescribeAsync(dir.File("out"), "latest", dir.File("b"));
        Assert.Equal(before, after);
    }

    [Fact]
    [Trait(Needs.Trait, Needs.Root)]
    public async Task Hard_links_to_a_symlink_and_a_fifo_are_accepted_by_both_and_stay_links()
    {
        using var dir = new TempDir();
        Image(
            new LayerTarBuilder().Dir("data").Symlink("data/s", "../etc/a").Fifo("data/p").File("data/dead", "made dead by layer 3").Build(),
            new LayerTarBuilder().HardLink("data/s2", "data/s").HardLink("data/p2", "data/p").Build(),
            new LayerTarBuilder().Whiteout("data/dead").Build()).WriteOciLayout(dir.File("in"));
        var original = await AnalyzeHelper.AnalyzeAsync($"oci:{dir.File("in")}:latest");

        var result = await RealImageRebuildTests.RebuildAsync($"oci:{dir.File("in")}:latest", $"oci:{dir.File("out")}:latest");

        Assert.Single(result.KeptLayers);
        Assert.Equal(original.FileCount, (await AnalyzeHelper.AnalyzeAsync($"oci:{dir.File("out")}:latest")).FileCount);
        using var rebuilt = await ImageOpener.OpenAsync($"oci:{dir.File("out")}:latest", new ImageOpenOptions());
        var view = await FinalViewReader.ReadAsync(rebuilt, rebuilt.Layers.Count, AnalysisLimits.Default, CancellationToken.None);
        Assert.Equal("data/s", view.HardLinkLeaders()["data/s2"]);
        Assert.Equal("data/p", view.HardLinkLeaders()["data/p2"]);
        Assert.Equal((FinalEntryType.Symlink, "../etc/a"), (view.Entries["data/s2"].Type, view.Entries["data/s2"].LinkTarget));
        var before = await RootfsWalk.UnpackAndDescribeAsync(dir.File("in"), "latest", dir.File("a"));
        var after = await RootfsWalk.UnpackAndDescribeAsync(dir.File("out"), "latest", dir.File("b"));
        Assert.Equal(before, after);
    }
}
