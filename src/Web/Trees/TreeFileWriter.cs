using System.Runtime.InteropServices;
using System.Text;
using LayerLens.Analyzer.FileTree;
using LayerLens.Analyzer.Layers;
using LayerLens.Analyzer.Waste;
using static LayerLens.Web.Trees.TreeFileFormat;

namespace LayerLens.Web.Trees;

/// <summary>Writes a <see cref="LayeredTree"/> (with its waste paths) as a tree file; see <see cref="TreeFileFormat"/>.</summary>
public static class TreeFileWriter
{
    public static void Write(LayeredTree tree, IEnumerable<WasteItem> waste, string path)
    {
        var paths = tree.Paths;

        // Breadth-first numbering, children by name; paths interned but never present (a whiteout of
        // a path no layer had) are left out with everything below them.
        var order = new List<int>(paths.Count) { PathTable.Root };
        var histories = new List<IReadOnlyList<PathEvent>> { Array.Empty<PathEvent>() };
        var nodes = new List<Node> { new() { Parent = -1 } };
        var newId = new Dictionary<int, int> { [PathTable.Root] = 0 };
        var children = new List<(string Name, int Old)>();
        for (var i = 0; i < order.Count; i++)
        {
            children.Clear();
            for (var c = paths.FirstChild(order[i]); c != PathTable.None; c = paths.NextSibling(c))
            {
                children.Add((paths.Name(c), c));
            }
            children.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            var first = order.Count;
            foreach (var (_, old) in children)
            {
                var history = tree.HistoryOf(old);
                if (history.Count == 0)
                {
                    continue;
                }
                newId[old] = order.Count;
                order.Add(old);
                histories.Add(history);
                nodes.Add(new Node { Parent = i });
            }
            var node = nodes[i];
            node.FirstChild = first;
            node.ChildCount = order.Count - first;
            nodes[i] = node;
        }

        var nodeArray = nodes.ToArray();
        MarkWaste(nodeArray, waste, paths, newId);
        var sizes = DirectorySizes(nodeArray, histories);

        var events = new List<Event>(nodeArray.Length);
        var sizePoints = new List<SizePoint>();
        using var heap = new MemoryStream();
        for (var i = 0; i < nodeArray.Length; i++)
        {
            ref var node = ref nodeArray[i];
            node.NameOffset = AppendString(heap, i == 0 ? "" : paths.Name(order[i]));
            node.EventStart = events.Count;
            node.EventCount = histories[i].Count;
            foreach (var e in histories[i])
            {
                events.Add(new Event
                {
                    Size = e.Size,
                    LinkOffset = e.LinkTarget is null ? -1 : AppendString(heap, e.LinkTarget),
                    Layer = (short)e.Layer,
                    VersionLayer = (short)e.VersionLayer,
                    Status = (byte)e.Status,
                    Kind = (byte)e.Kind,
                    Implicit = e.Implicit ? (byte)1 : (byte)0,
                });
            }
            node.SizeStart = sizePoints.Count;
            if (sizes[i] is { } points)
            {
                foreach (var (layer, bytes) in points)
                {
                    sizePoints.Add(new SizePoint { Layer = (short)layer, Bytes = bytes });
                }
            }
            node.SizeCount = sizePoints.Count - node.SizeStart;
        }

        var header = new Header
        {
            Magic = Magic,
            LayerCount = tree.LayerCount,
            NodeCount = nodeArray.Length,
            EventCount = events.Count,
            SizePointCount = sizePoints.Count,
        };
        header.NodesOffset = HeaderSize;
        header.EventsOffset = header.NodesOffset + (long)nodeArray.Length * Marshal.SizeOf<Node>();
        header.SizePointsOffset = header.EventsOffset + (long)events.Count * Marshal.SizeOf<Event>();
        header.HeapOffset = header.SizePointsOffset + (long)sizePoints.Count * Marshal.SizeOf<SizePoint>();
        header.HeapLength = heap.Length;

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var headerBytes = new byte[HeaderSize];
        MemoryMarshal.Write(headerBytes, in header);
        file.Write(headerBytes);
        file.Write(MemoryMarshal.AsBytes(nodeArray.AsSpan()));
        file.Write(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(events)));
        file.Write(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(sizePoints)));
        heap.Position = 0;
        heap.CopyTo(file);
    }

    private static long AppendString(MemoryStream heap, string value)
    {
        var offset = heap.Length;
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        MemoryMarshal.Write(length, bytes.Length);
        heap.Write(length);
        heap.Write(bytes);
        return offset;
    }

    /// <summary>Waste paths and everything below them are waste; their ancestors contain waste.</summary>
    private static void MarkWaste(Node[] nodes, IEnumerable<WasteItem> waste, PathTable paths, Dictionary<int, int> newId)
    {
        var stack = new Stack<int>();
        foreach (var item in waste)
        {
            var old = paths.Find(item.Path);
            if (old == PathTable.None || !newId.TryGetValue(old, out var id) || (nodes[id].Flags & NodeFlags.Waste) != 0)
            {
                continue;
            }
            stack.Push(id);
            while (stack.Count > 0)
            {
                var n = stack.Pop();
                if ((nodes[n].Flags & NodeFlags.Waste) != 0)
                {
                    continue;
                }
                nodes[n].Flags |= NodeFlags.Waste;
                for (var c = nodes[n].FirstChild; c < nodes[n].FirstChild + nodes[n].ChildCount; c++)
                {
                    stack.Push(c);
                }
            }
            for (var p = nodes[id].Parent; p >= 0 && (nodes[p].Flags & NodeFlags.ContainsWaste) == 0; p = nodes[p].Parent)
            {
                nodes[p].Flags |= NodeFlags.ContainsWaste;
            }
        }
    }

    /// <summary>
    /// Per directory, its visible bytes below at each layer where they change: children are numbered
    /// after their parents, so one pass from the last node up folds every change into its ancestors.
    /// </summary>
    private static SortedDictionary<int, long>?[] DirectorySizes(Node[] nodes, List<IReadOnlyList<PathEvent>> histories)
    {
        var deltas = new SortedDictionary<int, long>?[nodes.Length];
        for (var i = nodes.Length - 1; i > 0; i--)
        {
            long visible = 0;
            foreach (var e in histories[i])
            {
                var now = e.Status != ChangeStatus.Removed && e.Kind == EntryKind.File ? e.Size : 0;
                if (now != visible)
                {
                    Add(ref deltas[nodes[i].Parent], e.Layer, now - visible);
                    visible = now;
                }
            }
            if (deltas[i] is { } own)
            {
                foreach (var (layer, delta) in own)
                {
                    Add(ref deltas[nodes[i].Parent], layer, delta);
                }
            }
        }

        // Deltas → running totals.
        foreach (var d in deltas)
        {
            if (d is null)
            {
                continue;
            }
            long total = 0;
            foreach (var layer in d.Keys.ToList())
            {
                total += d[layer];
                d[layer] = total;
            }
        }
        return deltas;
    }

    private static void Add(ref SortedDictionary<int, long>? map, int layer, long delta)
    {
        map ??= [];
        map[layer] = map.GetValueOrDefault(layer) + delta;
    }
}
