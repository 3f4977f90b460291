using System.Runtime.InteropServices;
using System.Text;
using LayerLens.Analyzer.Layers;
using LayerLens.Analyzer.Waste;
using static LayerLens.Analyzer.FileTree.Stored.TreeFileFormat;

namespace LayerLens.Analyzer.FileTree.Stored;

/// <summary>
/// Writes a <see cref="LayeredTree"/> (with its waste paths) as a tree file; see <see cref="TreeFileFormat"/>.
/// Memory stays at a few integers per node: node records go straight to the file, and events, size
/// points and names stream to temp files beside it that are appended once their offsets are known.
/// </summary>
public static class TreeFileWriter
{
    private const int BufferSize = 1 << 20;

    public static void Write(LayeredTree tree, IEnumerable<WasteItem> waste, string path)
    {
        var paths = tree.Paths;
        var shape = Number(tree);
        var flags = MarkWaste(shape, waste, paths);
        var sizes = DirectorySizes(tree, shape);

        var header = new Header { Magic = Magic, LayerCount = tree.LayerCount, NodeCount = shape.Count, NodesOffset = HeaderSize };
        var eventsPath = path + ".events.tmp";
        var sizesPath = path + ".sizes.tmp";
        var heapPath = path + ".heap.tmp";
        try
        {
            using (var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, BufferSize))
            {
                using (var events = new FileStream(eventsPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, BufferSize, FileOptions.DeleteOnClose))
                using (var sizePoints = new FileStream(sizesPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, BufferSize, FileOptions.DeleteOnClose))
                using (var heap = new FileStream(heapPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, BufferSize, FileOptions.DeleteOnClose))
                {
                    file.Position = HeaderSize;
                    var history = new List<PathEvent>();
                    // Node order: each node's name, then its link targets — a directory's children and
                    // everything they name form one contiguous heap range, as the reader expects.
                    for (var i = 0; i < shape.Count; i++)
                    {
                        HistoryOf(tree, shape, i, history);
                        var node = new Node
                        {
                            Parent = shape.Parent[i],
                            FirstChild = shape.FirstChild[i],
                            ChildCount = shape.ChildCount[i],
                            Flags = (NodeFlags)flags[i],
                            NameOffset = AppendString(heap, i == 0 ? "" : paths.Name(shape.Order[i])),
                            EventStart = header.EventCount,
                            EventCount = history.Count,
                            SizeStart = header.SizePointCount,
                        };
                        foreach (var e in history)
                        {
                            WriteStruct(events, new Event
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
                        header.EventCount += history.Count;
                        if (sizes.TryGetValue(i, out var points))
                        {
                            foreach (var (layer, bytes) in points)
                            {
                                WriteStruct(sizePoints, new SizePoint { Layer = (short)layer, Bytes = bytes });
                            }
                            header.SizePointCount += points.Count;
                        }
                        node.SizeCount = header.SizePointCount - node.SizeStart;
                        WriteStruct(file, node);
                    }

                    header.EventsOffset = file.Position;
                    Append(events, file);
                    header.SizePointsOffset = file.Position;
                    Append(sizePoints, file);
                    header.HeapOffset = file.Position;
                    header.HeapLength = heap.Length;
                    Append(heap, file);
                }
                file.Position = 0;
                WriteStruct(file, header); // exactly HeaderSize bytes
            }
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>
    /// The breadth-first numbering, children by name, as a few integers per node; paths interned but
    /// never present (a whiteout of a path no layer had) are left out with everything below them.
    /// </summary>
    private sealed class Shape(int capacity)
    {
        public List<int> Order { get; } = new(capacity) { PathTable.Root };
        public List<int> Parent { get; } = new(capacity) { -1 };
        public List<int> FirstChild { get; } = new(capacity);
        public List<int> ChildCount { get; } = new(capacity);

        /// <summary>New node id by path id, -1 when the path is left out.</summary>
        public int[] NewId { get; } = new int[capacity];

        public int Count => Order.Count;
    }

    private static Shape Number(LayeredTree tree)
    {
        var paths = tree.Paths;
        var shape = new Shape(paths.Count);
        Array.Fill(shape.NewId, -1);
        shape.NewId[PathTable.Root] = 0;
        var children = new List<(string Name, int Old)>();
        for (var i = 0; i < shape.Order.Count; i++)
        {
            children.Clear();
            for (var c = paths.FirstChild(shape.Order[i]); c != PathTable.None; c = paths.NextSibling(c))
            {
                if (tree.HasHistory(c))
                {
                    children.Add((paths.Name(c), c));
                }
            }
            children.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            shape.FirstChild.Add(shape.Order.Count);
            shape.ChildCount.Add(children.Count);
            foreach (var (_, old) in children)
            {
                shape.NewId[old] = shape.Order.Count;
                shape.Order.Add(old);
                shape.Parent.Add(i);
            }
        }
        return shape;
    }

    /// <summary>Node <paramref name="i"/>'s events into a reused buffer; the root has none of its own.</summary>
    private static void HistoryOf(LayeredTree tree, Shape shape, int i, List<PathEvent> into)
    {
        if (i == 0)
        {
            into.Clear();
            return;
        }
        tree.HistoryOf(shape.Order[i], into);
    }

    private static void WriteStruct<T>(Stream stream, T value) where T : unmanaged =>
        stream.Write(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)));

    private static void Append(Stream source, Stream target)
    {
        source.Flush();
        source.Position = 0;
        source.CopyTo(target, BufferSize);
    }

    private static long AppendString(Stream heap, string value)
    {
        var offset = heap.Position;
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        MemoryMarshal.Write(length, bytes.Length);
        heap.Write(length);
        heap.Write(bytes);
        return offset;
    }

    /// <summary>Waste paths and everything below them are waste; their ancestors contain waste.</summary>
    private static byte[] MarkWaste(Shape shape, IEnumerable<WasteItem> waste, PathTable paths)
    {
        var flags = new byte[shape.Count];
        var stack = new Stack<int>();
        foreach (var item in waste)
        {
            var old = paths.Find(item.Path);
            var id = old == PathTable.None ? -1 : shape.NewId[old];
            if (id < 0 || (flags[id] & (byte)NodeFlags.Waste) != 0)
            {
                continue;
            }
            stack.Push(id);
            while (stack.Count > 0)
            {
                var n = stack.Pop();
                if ((flags[n] & (byte)NodeFlags.Waste) != 0)
                {
                    continue;
                }
                flags[n] |= (byte)NodeFlags.Waste;
                for (var c = shape.FirstChild[n]; c < shape.FirstChild[n] + shape.ChildCount[n]; c++)
                {
                    stack.Push(c);
                }
            }
            for (var p = shape.Parent[id]; p >= 0 && (flags[p] & (byte)NodeFlags.ContainsWaste) == 0; p = shape.Parent[p])
            {
                flags[p] |= (byte)NodeFlags.ContainsWaste;
            }
        }
        return flags;
    }

    /// <summary>
    /// Per directory, its visible bytes below at each layer where they change: children are numbered
    /// after their parents, so one pass from the last node up folds every change into its ancestors.
    /// Only directories with a size change hold an entry.
    /// </summary>
    private static Dictionary<int, SortedDictionary<int, long>> DirectorySizes(LayeredTree tree, Shape shape)
    {
        var deltas = new Dictionary<int, SortedDictionary<int, long>>();
        var history = new List<PathEvent>();
        for (var i = shape.Count - 1; i > 0; i--)
        {
            var parent = shape.Parent[i];
            long visible = 0;
            HistoryOf(tree, shape, i, history);
            foreach (var e in history)
            {
                var now = e.Status != ChangeStatus.Removed && e.Kind == EntryKind.File ? e.Size : 0;
                if (now != visible)
                {
                    Add(deltas, parent, e.Layer, now - visible);
                    visible = now;
                }
            }
            if (deltas.TryGetValue(i, out var own))
            {
                foreach (var (layer, delta) in own)
                {
                    Add(deltas, parent, layer, delta);
                }
            }
        }

        // Deltas → running totals.
        foreach (var d in deltas.Values)
        {
            long total = 0;
            foreach (var layer in d.Keys.ToList())
            {
                total += d[layer];
                d[layer] = total;
            }
        }
        return deltas;
    }

    private static void Add(Dictionary<int, SortedDictionary<int, long>> deltas, int node, int layer, long delta)
    {
        if (!deltas.TryGetValue(node, out var map))
        {
            deltas[node] = map = [];
        }
        map[layer] = map.GetValueOrDefault(layer) + delta;
    }
}
