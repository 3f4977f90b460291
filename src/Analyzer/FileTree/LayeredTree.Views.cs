using LayerLens.Analyzer.Layers;

namespace LayerLens.Analyzer.FileTree;

public sealed partial class LayeredTree
{
    /// <summary>
    /// The children of directory <paramref name="path"/> in the merged filesystem at layer
    /// <paramref name="layerIndex"/>, each marked added/modified/removed (by that layer) or
    /// unchanged, sorted by name. Entries removed by that layer are listed with the version removed.
    /// </summary>
    public IReadOnlyList<TreeEntryView> ListDirectory(int layerIndex, string path)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layerIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layerIndex, LayerCount);
        var normalized = PathNormalizer.Normalize(path) ?? throw new ArgumentException($"'{path}' escapes the root", nameof(path));
        var dir = Paths.Find(normalized);
        if (dir == PathTable.None)
        {
            return [];
        }
        if (dir != PathTable.Root)
        {
            var at = EventAt(dir, layerIndex);
            if (at < 0 || _events[at].Version == Removed || !IsDirectory(at))
            {
                return [];
            }
        }

        var result = new List<TreeEntryView>();
        for (var c = Paths.FirstChild(dir); c != PathTable.None; c = Paths.NextSibling(c))
        {
            var at = EventAt(c, layerIndex);
            if (at < 0)
            {
                continue;
            }
            var e = _events[at];
            ChangeStatus status;
            var shown = at;
            if (e.Version == Removed)
            {
                if (e.Layer != layerIndex)
                {
                    continue;
                }
                status = ChangeStatus.Removed;
                shown = e.Prev;
                while (shown >= 0 && _events[shown].Version == Removed)
                {
                    shown = _events[shown].Prev;
                }
                if (shown < 0)
                {
                    continue;
                }
            }
            else
            {
                status = e.Layer != layerIndex ? ChangeStatus.Unchanged
                    : (e.Flags & EventFlags.Added) != 0 ? ChangeStatus.Added
                    : ChangeStatus.Modified;
            }
            result.Add(View(c, shown));
            result[^1] = result[^1] with { Status = status };
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return result;
    }

    /// <summary>The last event of <paramref name="node"/> at or below <paramref name="layer"/>, or -1.</summary>
    private int EventAt(int node, int layer)
    {
        var i = _last[node];
        while (i >= 0 && _events[i].Layer > layer)
        {
            i = _events[i].Prev;
        }
        return i;
    }

    private TreeEntryView View(int node, int eventIndex)
    {
        var e = _events[eventIndex];
        var name = Paths.Name(node);
        var path = Paths.PathOf(node);
        if (e.Version == ImplicitDirectory)
        {
            return new TreeEntryView(name, path, EntryKind.Directory, 0, ChangeStatus.Unchanged, e.Layer, true, null);
        }
        var v = VersionAt(e);
        string? link = v.Kind switch
        {
            EntryKind.Symlink => _layers[e.Layer].SymlinkTargets[v.Link],
            EntryKind.HardLink => Paths.PathOf(v.Link),
            _ => null,
        };
        return new TreeEntryView(name, path, v.Kind, v.Size, ChangeStatus.Unchanged, e.Layer, false, link);
    }
}
