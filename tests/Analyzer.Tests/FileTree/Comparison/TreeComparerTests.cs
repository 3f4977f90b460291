using LayerLens.Analyzer.FileTree;
using LayerLens.Analyzer.Layers;
using LayerLens.Analyzer.FileTree.Comparison;

namespace LayerLens.Analyzer.Tests.FileTree.Comparison;

public sealed class TreeComparerTests
{
    /// <summary>A final tree given as path → (kind, size, link target); directories are implied.</summary>
    private sealed class MapTree(Dictionary<string, (EntryKind Kind, long Size, string? Link)> files, params string[] removedAtFinalLayer) : ITreeSource
    {
        public int LayerCount => 1;

        public IReadOnlyList<TreeEntry> ListDirectory(int layer, string path)
        {
            var prefix = path.Length == 0 ? "" : path + "/";
            var children = new Dictionary<string, TreeEntry>(StringComparer.Ordinal);
            foreach (var (full, (kind, size, link)) in files)
            {
                if (!full.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }
                var rest = full[prefix.Length..];
                var slash = rest.IndexOf('/');
                var name = slash < 0 ? rest : rest[..slash];
                var childPath = prefix + name;
                var isDir = slash >= 0;
                var previous = children.TryGetValue(name, out var p) ? p.Size : 0;
                children[name] = new TreeEntry(name, childPath, isDir ? EntryKind.Directory : kind, previous + size, ChangeStatus.Unchanged, 0, false, isDir ? null : link);
            }
            // What the explorer shows as struck through at this layer is not part of the final filesystem.
            foreach (var removed in removedAtFinalLayer.Where(r => r.StartsWith(prefix, StringComparison.Ordinal) && !r[prefix.Length..].Contains('/', StringComparison.Ordinal)))
            {
                children[removed[prefix.Length..]] = new TreeEntry(removed[prefix.Length..], removed, EntryKind.File, 5, ChangeStatus.Removed, 0, false, null, IsWaste: true);
            }
            return [.. children.Values.OrderByDescending(c => c.Name, StringComparer.Ordinal)];
        }
    }

    private static (EntryKind, long, string?) F(long size) => (EntryKind.File, size, null);

    [Fact]
    public void Added_removed_and_changed_paths_are_found_with_whole_directories_as_one_row()
    {
        var before = new MapTree(new()
        {
            ["etc/os-release"] = F(100),
            ["app/main.js"] = F(10),
            ["app/old/a.js"] = F(1),
            ["app/old/b.js"] = F(2),
            ["bin/sh"] = (EntryKind.Symlink, 0, "busybox"),
        });
        var after = new MapTree(new()
        {
            ["etc/os-release"] = F(100),
            ["app/main.js"] = F(12),
            ["app/new/x/c.js"] = F(3),
            ["app/new/d.js"] = F(4),
            ["bin/sh"] = (EntryKind.Symlink, 0, "dash"),
            ["readme"] = F(7),
        }, removedAtFinalLayer: "app/deleted.txt");

        var diff = TreeComparer.Compare(before, 0, after, 0);

        Assert.Equal(
            [("app/main.js", "changed"), ("app/new", "added"), ("app/old", "removed"), ("bin/sh", "changed"), ("readme", "added")],
            diff.Items.Select(d => (d.Path, d.Change)));
        Assert.Equal(3, diff.AddedFiles);            // c.js, d.js, readme
        Assert.Equal(3 + 4 + 7, diff.AddedBytes);
        Assert.Equal(2, diff.RemovedFiles);          // a.js, b.js
        Assert.Equal(1 + 2, diff.RemovedBytes);
        Assert.Equal(2, diff.ChangedFiles);          // main.js size, sh link target
        var main = diff.Items[0];
        Assert.Equal((10L, 12L), (main.OldSize!.Value, main.NewSize!.Value));
        Assert.Equal(2, diff.Items[1].Files);
        Assert.False(diff.Truncated);
    }

    [Fact]
    public void Identical_trees_have_no_differences_and_the_row_limit_truncates()
    {
        var files = Enumerable.Range(0, 30).ToDictionary(i => $"d/f{i:D2}", i => F(i));
        Assert.Empty(TreeComparer.Compare(new MapTree(files), 0, new MapTree(files), 0).Items);

        var diff = TreeComparer.Compare(new MapTree([]), 0, new MapTree(files.ToDictionary(kv => "x" + kv.Key, kv => kv.Value)), 0, maxItems: 1);
        Assert.Single(diff.Items);
        Assert.Equal(30, diff.AddedFiles);
    }
}
