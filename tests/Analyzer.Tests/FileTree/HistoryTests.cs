using LayerLens.Analyzer.FileTree;
using LayerLens.Analyzer.Layers;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Analyzer.Tests.FileTree;

/// <summary>A path's history (what the web's tree file persists) lists its changes oldest first, one buffer reused across paths.</summary>
public class HistoryTests
{
    [Fact]
    public async Task Each_path_lists_its_changes_and_a_buffer_reused_across_paths_holds_only_the_last()
    {
        using var temp = new TempDir();
        new SyntheticImage(
            new LayerTarBuilder().File("f", 100, seed: 1).File("g", 300, seed: 2).HardLink("h", "g").Build(),
            new LayerTarBuilder().Whiteout("f").Whiteout("ghost").File("g", 200, seed: 3).Build(),
            new LayerTarBuilder().File("f", 50, seed: 4).Build()).WriteOciLayout(temp.File("oci"));
        var tree = (await AnalyzeHelper.AnalyzeAsync("oci:" + temp.File("oci"))).Tree;
        var buffer = new List<PathEvent>();

        // f: written, removed (the removal repeats what it removed), written again.
        tree.HistoryOf(tree.Paths.Find("f"), buffer);
        Assert.Equal(
            [(0, ChangeStatus.Added, EntryKind.File, 100L), (1, ChangeStatus.Removed, EntryKind.File, 100L), (2, ChangeStatus.Added, EntryKind.File, 50L)],
            buffer.Select(e => (e.Layer, e.Status, e.Kind, e.Size)));
        Assert.All(buffer, e => Assert.False(e.Implicit));

        tree.HistoryOf(tree.Paths.Find("g"), buffer);
        Assert.Equal([(0, ChangeStatus.Added, 300L), (1, ChangeStatus.Modified, 200L)], buffer.Select(e => (e.Layer, e.Status, e.Size)));

        tree.HistoryOf(tree.Paths.Find("h"), buffer);
        var link = Assert.Single(buffer);
        Assert.Equal((EntryKind.HardLink, "g"), (link.Kind, link.LinkTarget));

        // A whiteout of a path no layer had is no change at all.
        var ghost = tree.Paths.Find("ghost");
        Assert.NotEqual(PathTable.None, ghost);
        Assert.False(tree.HasHistory(ghost));
        tree.HistoryOf(ghost, buffer);
        Assert.Empty(buffer);
        Assert.Empty(tree.HistoryOf(ghost));
        Assert.True(tree.HasHistory(tree.Paths.Find("f")));
    }
}
