using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.FileTree;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Layers;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.Analyzer.FileTree.Stored;

namespace LayerLens.Analyzer.Tests.FileTree.Stored;

/// <summary>The tree file answers directory listings exactly as the in-memory tree would, without it.</summary>
public sealed class TreeFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("layerlens-tree-").FullName;

    private async Task<(ImageAnalysis Analysis, TreeFileReader Reader)> ScenarioAsync()
    {
        var archive = Path.Combine(_dir, "scenario.tar");
        ScenarioImage.Create().WriteDockerArchiveClassic(archive);
        using var image = await ImageOpener.OpenAsync(archive, new ImageOpenOptions());
        var analysis = await ImageAnalyzer.AnalyzeAsync(image);
        var file = Path.Combine(_dir, "tree.bin");
        TreeFileWriter.Write(analysis.Tree, analysis.Waste, file);
        return (analysis, new TreeFileReader(file));
    }

    [Fact]
    public async Task Root_at_each_layer_shows_the_changes_that_layer_made()
    {
        var (_, reader) = await ScenarioAsync();
        using (reader)
        {
            var layer0 = reader.ListDirectory(0, "");
            Assert.Equal(["app", "data", "etc", "lib", "old", "var"], layer0.Select(e => e.Name));
            Assert.All(layer0, e => Assert.Equal(ChangeStatus.Added, e.Status));
            // Directory sizes are the files visible below them: app = big.bin 1000 + script.sh 50.
            Assert.Equal(1050, layer0.Single(e => e.Name == "app").Size);
            Assert.Equal(200 + 300 + 400, layer0.Single(e => e.Name == "data").Size);

            var layer1 = reader.ListDirectory(1, "");
            var data = layer1.Single(e => e.Name == "data");
            Assert.Equal(ChangeStatus.Removed, data.Status);
            Assert.Equal(900, data.Size); // what the whiteout removed
            Assert.True(data.IsWaste, "a deleted directory is waste");
            Assert.Equal(ChangeStatus.Modified, layer1.Single(e => e.Name == "app").Status);
            Assert.Equal(ChangeStatus.Added, layer1.Single(e => e.Name == "copy").Status);
            // app at layer 1: big.bin 800 + script.sh 50 + notes.tmp 40 + __pycache__/m.pyc 60 + twice 15.
            Assert.Equal(965, layer1.Single(e => e.Name == "app").Size);
            Assert.True(layer1.Single(e => e.Name == "var").ContainsWaste, "var/cache/apt holds junk");

            var layer2 = reader.ListDirectory(2, "");
            Assert.DoesNotContain(layer2, e => e.Name == "data"); // removed below: not listed any more
            Assert.Equal(ChangeStatus.Unchanged, layer2.Single(e => e.Name == "copy").Status);
        }
    }

    [Fact]
    public async Task Nested_directories_entries_links_and_missing_paths()
    {
        var (_, reader) = await ScenarioAsync();
        using (reader)
        {
            var app = reader.ListDirectory(1, "app");
            var current = app.Single(e => e.Name == "current");
            Assert.Equal(EntryKind.Symlink, current.Kind);
            Assert.Equal("big.bin", current.LinkTarget);
            Assert.Equal("app/current", current.Path);
            Assert.Equal(15, app.Single(e => e.Name == "twice").Size); // the later entry of the layer wins
            Assert.Equal(["y"], reader.ListDirectory(1, "old").Select(e => e.Name).Where(n => n == "y"));
            Assert.Equal(ChangeStatus.Removed, reader.ListDirectory(1, "old").Single(e => e.Name == "x").Status);
            Assert.Equal("lib/orig", reader.ListDirectory(0, "/lib/").Single(e => e.Name == "link").LinkTarget);
            Assert.Empty(reader.ListDirectory(2, "data"));
            Assert.Empty(reader.ListDirectory(0, "no/such/dir"));
            Assert.Empty(reader.ListDirectory(0, "etc/config")); // a file is not a directory
            Assert.Throws<ArgumentException>(() => reader.ListDirectory(0, "../etc"));
            Assert.Throws<ArgumentOutOfRangeException>(() => reader.ListDirectory(3, ""));
        }
    }

    [Fact]
    public async Task Every_directory_at_every_layer_lists_what_the_in_memory_tree_lists()
    {
        var (analysis, reader) = await ScenarioAsync();
        using (reader)
        {
            var tree = analysis.Tree;
            for (var layer = 0; layer < tree.LayerCount; layer++)
            {
                var pending = new Stack<string>([""]);
                while (pending.Count > 0)
                {
                    var dir = pending.Pop();
                    var expected = tree.ListDirectory(layer, dir);
                    var actual = reader.ListDirectory(layer, dir);
                    // Every field but the waste marks, which only the stored tree knows.
                    Assert.Equal(expected, actual.Select(e => e with { IsWaste = false, ContainsWaste = false }));
                    foreach (var sub in expected.Where(e => e.Kind == EntryKind.Directory && e.Status != ChangeStatus.Removed))
                    {
                        pending.Push(sub.Path);
                    }
                }
            }
        }
    }

    [Fact]
    public void A_file_that_is_not_a_tree_file_is_refused()
    {
        var file = Path.Combine(_dir, "garbage.bin");
        File.WriteAllBytes(file, new byte[100]);
        Assert.Throws<InvalidDataException>(() => new TreeFileReader(file));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
