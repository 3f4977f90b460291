using System.Runtime.InteropServices;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Layers;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.FileTree;

/// <summary>
/// The merged filesystem of every layer at once. Each node keeps a short chain of 12-byte events
/// (layer, version written / removed / implicit directory) instead of a tree copy per layer, so
/// the state of any path at any layer is a walk down its chain, and a layer's view is built one
/// directory at a time on demand.
/// </summary>
public sealed partial class LayeredTree
{
    private const int Removed = -1;
    private const int ImplicitDirectory = -2;

    private readonly IReadOnlyList<LayerChangeSet> _layers;
    private readonly int[] _last;
    private readonly ChunkedList<Event> _events = new();
    private readonly Dictionary<long, long> _hardLinkTargets = [];
    private readonly WasteAccumulator _waste = new();
    /// <summary>Nodes the layer being merged has written, one bit each (cleared per layer).</summary>
    private ulong[]? _touched;
    private readonly Stack<int> _stack = new();

    [Flags]
    private enum EventFlags : byte
    {
        None = 0,
        Added = 1,
        Modified = 2,
        Removed = 4,
        Implicit = 8,
        ExistedBelow = 16,
    }

    [StructLayout(LayoutKind.Sequential, Pack = 2)]
    private struct Event
    {
        public int Version;
        public int Prev;
        public short Layer;
        public EventFlags Flags;
    }

    private readonly IReadOnlyList<string>? _layerNames;

    private LayeredTree(PathTable paths, IReadOnlyList<LayerChangeSet> layers, IReadOnlyList<string>? layerNames)
    {
        Paths = paths;
        _layers = layers;
        _layerNames = layerNames;
        _last = new int[paths.Count];
        Array.Fill(_last, -1);
        _touched = new ulong[(paths.Count + 63) / 64];
        Stats = layers.Select(_ => new LayerStats()).ToArray();
    }

    public PathTable Paths { get; }

    public int LayerCount => _layers.Count;

    public IReadOnlyList<LayerStats> Stats { get; }

    /// <summary>Merges change sets in layer order (index i must be layer i).</summary>
    /// <param name="layerNames">How errors name each layer (<c>LayerBlob.Describe</c>); "layer i" when absent.</param>
    /// <exception cref="InvalidImageException">A hard link whose target is absent at that point, a directory, or itself (no runtime can unpack it).</exception>
    public static LayeredTree Merge(PathTable paths, IReadOnlyList<LayerChangeSet> layers, IReadOnlyList<string>? layerNames = null)
    {
        if (layers.Count > short.MaxValue)
        {
            throw new ArgumentException("too many layers", nameof(layers));
        }
        var tree = new LayeredTree(paths, layers, layerNames);
        for (var i = 0; i < layers.Count; i++)
        {
            tree.Apply(i);
        }
        tree._touched = null;
        return tree;
    }

    internal IEnumerable<WasteItem> DeadBytes() => _waste.Items(Paths);

    private void Apply(int layer)
    {
        var changes = _layers[layer];
        var stats = Stats[layer];
        var touched = _touched!;
        Array.Clear(touched);

        // Opaque markers and whiteouts act on the layers below, so they go before this layer's entries.
        foreach (var dir in changes.OpaqueDirectories)
        {
            if (IsPresent(dir) && IsDirectory(_last[dir]))
            {
                foreach (var child in PresentChildren(dir))
                {
                    RemoveSubtree(child, layer, WasteKind.Deleted, dir, stats);
                }
            }
        }
        foreach (var node in changes.Whiteouts)
        {
            if (IsPresent(node))
            {
                RemoveSubtree(node, layer, WasteKind.Deleted, node, stats);
            }
        }

        var versions = changes.Versions;
        for (var i = 0; i < versions.Count; i++)
        {
            ref var version = ref versions[i];
            var node = version.Node;
            EnsureParents(Paths.Parent(node), layer);
            var last = _last[node];
            if (last >= 0 && _events[last].Layer == layer && _events[last].Version != Removed)
            {
                ref var current = ref _events[last];
                if (current.Version == ImplicitDirectory && !Touch(touched, node))
                {
                    // First explicit write of a directory an earlier entry of this layer implied.
                    var existed = (current.Flags & EventFlags.ExistedBelow) != 0;
                    current.Flags = existed ? EventFlags.Modified : EventFlags.Added;
                    if (existed) { stats.Modified++; } else { stats.Added++; }
                }
                else
                {
                    // A later entry for the same path in the same layer replaces the earlier one.
                    Shadow(node, last, ref version, layer);
                }
                // Not through `current`: Shadow may have appended events, and growing the event list
                // can move the chunk that `current` points into.
                _events[last].Version = i;
                ResolveHardLink(layer, i, ref version);
                continue;
            }

            var present = last >= 0 && _events[last].Version != Removed;
            if (present)
            {
                Shadow(node, last, ref version, layer);
            }
            if (!Touch(touched, node))
            {
                if (present) { stats.Modified++; } else { stats.Added++; }
            }
            Append(node, layer, i, present ? EventFlags.Modified : EventFlags.Added);
            ResolveHardLink(layer, i, ref version);
        }
    }

    /// <summary>The version in event <paramref name="previous"/> is replaced at <paramref name="node"/> by <paramref name="next"/>.</summary>
    private void Shadow(int node, int previous, ref FileVersion next, int layer)
    {
        var e = _events[previous];
        if (IsDirectory(previous))
        {
            if (next.Kind != EntryKind.Directory)
            {
                // A non-directory written over a directory hides everything below it.
                foreach (var child in PresentChildren(node))
                {
                    RemoveSubtree(child, layer, WasteKind.Overwritten, node, null);
                }
            }
            return;
        }
        ref var old = ref VersionAt(e);
        if (old.Kind == EntryKind.File)
        {
            var same = next.Kind == EntryKind.File && next.Size == old.Size && next.Hash == old.Hash;
            _waste.Add(same ? WasteKind.MetadataOnly : WasteKind.Overwritten, Paths.Parent(node), node, old.Size, e.Layer, layer);
        }
    }

    private void EnsureParents(int parent, int layer)
    {
        if (parent <= PathTable.Root || IsPresent(parent) && IsDirectory(_last[parent]))
        {
            return;
        }
        EnsureParents(Paths.Parent(parent), layer);
        var last = _last[parent];
        var existed = last >= 0 && _events[last].Version != Removed;
        if (existed)
        {
            // A file (or link) where a directory must be: the directory replaces it.
            var e = _events[last];
            ref var old = ref VersionAt(e);
            if (old.Kind == EntryKind.File)
            {
                _waste.Add(WasteKind.Overwritten, Paths.Parent(parent), parent, old.Size, e.Layer, layer);
            }
        }
        Append(parent, layer, ImplicitDirectory, EventFlags.Implicit | (existed ? EventFlags.ExistedBelow | EventFlags.Modified : EventFlags.Added));
    }

    private void RemoveSubtree(int root, int layer, WasteKind kind, int reportUnder, LayerStats? countIn)
    {
        _stack.Push(root);
        while (_stack.Count > 0)
        {
            var node = _stack.Pop();
            var last = _last[node];
            if (last < 0 || _events[last].Version == Removed)
            {
                continue;
            }
            var e = _events[last];
            if (IsDirectory(last))
            {
                for (var c = Paths.FirstChild(node); c != PathTable.None; c = Paths.NextSibling(c))
                {
                    _stack.Push(c);
                }
            }
            else
            {
                ref var v = ref VersionAt(e);
                if (v.Kind == EntryKind.File)
                {
                    _waste.Add(kind, reportUnder, node, v.Size, e.Layer, layer);
                }
            }
            Append(node, layer, Removed, EventFlags.Removed);
            if (countIn is not null)
            {
                countIn.Removed++;
            }
        }
    }

    private void ResolveHardLink(int layer, int index, ref FileVersion version)
    {
        if (version.Kind != EntryKind.HardLink)
        {
            return;
        }
        // A runtime unpacking the layer calls link(2) on the target as it is at that point: absent, a directory or
        // the link itself fail the pull, so the image is refused here as the rebuild's reader refuses it.
        var why = version.Link == version.Node ? "the link itself"
            : !IsPresent(version.Link) ? "not present at this point"
            : IsDirectory(_last[version.Link]) ? "a directory"
            : null;
        if (why is not null)
        {
            var where = _layerNames is { } names && layer < names.Count ? names[layer] : $"layer {layer}";
            throw new InvalidImageException(HardLinkRefusal(where, Paths.PathOf(version.Node), Paths.PathOf(version.Link), why));
        }
        var e = _events[_last[version.Link]];
        if (e.Version < 0)
        {
            return;
        }
        var target = Key(e.Layer, e.Version);
        ref var v = ref VersionAt(e);
        if (v.Kind == EntryKind.HardLink && !_hardLinkTargets.TryGetValue(target, out target))
        {
            return;
        }
        if (v.Kind is EntryKind.File or EntryKind.HardLink)
        {
            _hardLinkTargets[Key(layer, index)] = target;
        }
    }

    /// <summary>The refusal of a hard link no runtime can unpack, worded the same by the analysis and the rebuild.</summary>
    internal static string HardLinkRefusal(string layer, string path, string target, string why) =>
        $"{layer}, entry '{path}': hard link to '{target}', which is {why}";

    /// <summary>Marks <paramref name="node"/> written by this layer; whether it already was.</summary>
    private static bool Touch(ulong[] touched, int node)
    {
        ref var word = ref touched[node >> 6];
        var bit = 1UL << (node & 63);
        var was = (word & bit) != 0;
        word |= bit;
        return was;
    }

    private static long Key(int layer, int index) => ((long)layer << 32) | (uint)index;

    private void Append(int node, int layer, int version, EventFlags flags)
    {
        _events.Add(new Event { Version = version, Prev = _last[node], Layer = (short)layer, Flags = flags });
        _last[node] = _events.Count - 1;
    }

    private bool IsPresent(int node) => node == PathTable.Root || _last[node] >= 0 && _events[_last[node]].Version != Removed;

    private bool IsDirectory(int eventIndex)
    {
        if (eventIndex < 0)
        {
            return true; // the root
        }
        var e = _events[eventIndex];
        return e.Version == ImplicitDirectory || e.Version >= 0 && VersionAt(e).Kind == EntryKind.Directory;
    }

    private ref FileVersion VersionAt(Event e) => ref _layers[e.Layer].Versions[e.Version];

    private List<int> PresentChildren(int node)
    {
        var children = new List<int>();
        for (var c = Paths.FirstChild(node); c != PathTable.None; c = Paths.NextSibling(c))
        {
            if (IsPresent(c))
            {
                children.Add(c);
            }
        }
        return children;
    }
}
