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
        var chain = new List<int>();
        for (var i = _last[node]; i >= 0; i = _events[i].Prev)
        {
            chain.Add(i);
        }
        chain.Reverse();
        var result = new List<PathEvent>(chain.Count);
        PathEvent? previous = null;
        foreach (var i in chain)
        {
            var e = _events[i];
            if (e.Version == Removed)
            {
                if (previous is { } p)
                {
                    result.Add(p with { Layer = e.Layer, Status = ChangeStatus.Removed });
                }
                continue;
            }
            var status = (e.Flags & EventFlags.Added) != 0 ? ChangeStatus.Added : ChangeStatus.Modified;
            PathEvent current;
            if (e.Version == ImplicitDirectory)
            {
                current = new PathEvent(e.Layer, status, EntryKind.Directory, 0, true, null, e.Layer);
            }
            else
            {
                var v = VersionAt(e);
                var link = v.Kind switch
                {
                    EntryKind.Symlink => _layers[e.Layer].SymlinkTargets[v.Link],
                    EntryKind.HardLink => Paths.PathOf(v.Link),
                    _ => null,
                };
                current = new PathEvent(e.Layer, status, v.Kind, v.Size, false, link, e.Layer);
            }
            result.Add(current);
            previous = current;
        }
        return result;
    }
}
