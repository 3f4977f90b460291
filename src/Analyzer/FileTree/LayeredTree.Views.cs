using LayerLens.Analyzer.Layers;

namespace LayerLens.Analyzer.FileTree;

public sealed partial class LayeredTree : ITreeSource
{
    /// <inheritdoc/>
    /// <remarks>A directory's size walks everything below it: fine for tests and small trees; the web
    /// lists the stored tree file, which keeps those sums per layer.</remarks>
    public IReadOnlyList<TreeEntry> ListDirectory(int layer, string path)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, LayerCount);
        var normalized = PathNormalizer.Normalize(path) ?? throw new ArgumentException($"'{path}' escapes the root", nameof(path));
        var dir = Paths.Find(normalized);
        if (dir == PathTable.None)
        {
            return [];
        }
        if (dir != PathTable.Root)
        {
            var at = EventAt(dir, layer);
            if (at < 0 || _events[at].Version == Removed || !IsDirectory(at))
            {
                return [];
            }
        }

        var result = new List<TreeEntry>();
        for (var c = Paths.FirstChild(dir); c != PathTable.None; c = Paths.NextSibling(c))
        {
            var at = EventAt(c, layer);
            if (at < 0)
            {
                continue;
            }
            var e = _events[at];
            ChangeStatus status;
            var shown = at;
            if (e.Version == Removed)
            {
                if (e.Layer != layer)
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
                status = e.Layer != layer ? ChangeStatus.Unchanged
                    : (e.Flags & EventFlags.Added) != 0 ? ChangeStatus.Added
                    : ChangeStatus.Modified;
            }
            var view = View(c, shown) with { Status = status };
            if (view.IsDirectory)
            {
                view = view with { Size = VisibleBytesBelow(c, status == ChangeStatus.Removed ? layer - 1 : layer) };
            }
            result.Add(view);
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

    /// <summary>Bytes of the regular files visible below directory <paramref name="dir"/> at <paramref name="layer"/>.</summary>
    private long VisibleBytesBelow(int dir, int layer)
    {
        long bytes = 0;
        var pending = new Stack<int>();
        pending.Push(dir);
        while (pending.Count > 0)
        {
            for (var c = Paths.FirstChild(pending.Pop()); c != PathTable.None; c = Paths.NextSibling(c))
            {
                var at = EventAt(c, layer);
                if (at < 0 || _events[at].Version == Removed)
                {
                    continue;
                }
                if (IsDirectory(at))
                {
                    pending.Push(c);
                }
                else if (VersionAt(_events[at]) is { Kind: EntryKind.File } v)
                {
                    bytes += v.Size;
                }
            }
        }
        return bytes;
    }

    private TreeEntry View(int node, int eventIndex)
    {
        var e = _events[eventIndex];
        var name = Paths.Name(node);
        var path = Paths.PathOf(node);
        if (e.Version == ImplicitDirectory)
        {
            return new TreeEntry(name, path, EntryKind.Directory, 0, ChangeStatus.Unchanged, e.Layer, true, null);
        }
        var v = VersionAt(e);
        string? link = v.Kind switch
        {
            EntryKind.Symlink => _layers[e.Layer].SymlinkTargets[v.Link],
            EntryKind.HardLink => Paths.PathOf(v.Link),
            _ => null,
        };
        return new TreeEntry(name, path, v.Kind, v.Size, ChangeStatus.Unchanged, e.Layer, false, link);
    }
}
