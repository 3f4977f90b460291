using LayerLens.Analyzer.Layers;

namespace LayerLens.Analyzer.FileTree;

/// <summary>One change of one path, as stored in the tree's event chain.</summary>
/// <param name="Status">Added, Modified or Removed (never Unchanged).</param>
/// <param name="Implicit">A directory no layer wrote, implied by entries below it.</param>
/// <param name="VersionLayer">The layer that wrote the version (for a removal, the version removed).</param>
public readonly record struct PathEvent(int Layer, ChangeStatus Status, EntryKind Kind, long Size, bool Implicit, string? LinkTarget, int VersionLayer);

public sealed partial class LayeredTree
{
    /// <summary>
    /// The changes of <paramref name="node"/> oldest first, so callers (the web's tree file) can
    /// persist the whole layered tree without a listing per layer. A Removed event repeats the kind
    /// and size of the version it removed.
    /// </summary>
    public IReadOnlyList<PathEvent> HistoryOf(int node)
    {
        var result = new List<PathEvent>();
        HistoryOf(node, result);
        return result;
    }

    /// <summary>
    /// <see cref="HistoryOf(int)"/> into a caller's list (cleared first), so a walk over every node
    /// reuses one buffer instead of allocating two lists per node.
    /// </summary>
    public void HistoryOf(int node, List<PathEvent> into)
    {
        into.Clear();
        // The chain runs newest first: collect it backwards, with a removal as a placeholder whose
        // kind and size come from the version before it once the list is in order.
        for (var i = _last[node]; i >= 0; i = _events[i].Prev)
        {
            var e = _events[i];
            into.Add(e.Version == Removed ? new PathEvent(e.Layer, ChangeStatus.Removed, default, 0, false, null, -1) : Resolve(e));
        }
        into.Reverse();
        var kept = 0;
        PathEvent? previous = null;
        for (var k = 0; k < into.Count; k++)
        {
            var current = into[k];
            if (current.Status == ChangeStatus.Removed)
            {
                // A removal of nothing earlier in this chain (a whiteout of a path no layer had) is no change.
                if (previous is { } p)
                {
                    into[kept++] = p with { Layer = current.Layer, Status = ChangeStatus.Removed };
                }
                continue;
            }
            into[kept++] = current;
            previous = current;
        }
        into.RemoveRange(kept, into.Count - kept);
    }

    /// <summary>Whether <paramref name="node"/> was ever present: what <see cref="HistoryOf(int)"/> would list something for, without building it.</summary>
    public bool HasHistory(int node)
    {
        for (var i = _last[node]; i >= 0; i = _events[i].Prev)
        {
            if (_events[i].Version != Removed)
            {
                return true;
            }
        }
        return false;
    }

    private PathEvent Resolve(Event e)
    {
        var status = (e.Flags & EventFlags.Added) != 0 ? ChangeStatus.Added : ChangeStatus.Modified;
        if (e.Version == ImplicitDirectory)
        {
            return new PathEvent(e.Layer, status, EntryKind.Directory, 0, true, null, e.Layer);
        }
        var v = VersionAt(e);
        var link = v.Kind switch
        {
            EntryKind.Symlink => _layers[e.Layer].SymlinkTargets[v.Link],
            EntryKind.HardLink => Paths.PathOf(v.Link),
            _ => null,
        };
        return new PathEvent(e.Layer, status, v.Kind, v.Size, false, link, e.Layer);
    }
}
