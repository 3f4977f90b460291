using System.Text;

namespace LayerLens.Analyzer.Layers;

/// <summary>
/// Every path seen in any layer, as a node id. Nodes are 20-byte records (parent, name, first
/// child, next sibling, next in its hash bucket) in fixed-size chunks, so the table never copies
/// itself as it grows, with a chained (parent, name) → node index whose bucket array is the only
/// thing that doubles: about 24 bytes per node plus its name. Node 0 is the root. Interning is
/// thread-safe so layers can be read in parallel.
/// </summary>
public sealed class PathTable
{
    public const int Root = 0;
    public const int None = -1;

    private struct Node
    {
        public int Parent;
        public int Name;
        public int FirstChild;
        public int NextSibling;
        public int NextInBucket;
    }

    private readonly object _lock = new();
    private readonly NameTable _names = new();
    private readonly ChunkedList<Node> _nodes = new();
    private int[] _buckets = new int[1024];
    private int _count;

    public PathTable()
    {
        _nodes.Add(new Node { Parent = None, Name = _names.GetOrAdd(""), FirstChild = None, NextSibling = None, NextInBucket = None });
        _count = 1;
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>The node of a normalised path ("" is the root), created with its ancestors if new.</summary>
    public int Intern(ReadOnlySpan<char> path)
    {
        lock (_lock)
        {
            var node = Root;
            while (!path.IsEmpty)
            {
                var slash = path.IndexOf('/');
                var segment = slash < 0 ? path : path[..slash];
                path = slash < 0 ? [] : path[(slash + 1)..];
                node = GetOrAddChild(node, _names.GetOrAdd(segment));
            }
            return node;
        }
    }

    /// <summary>The child named <paramref name="utf8Name"/> (one segment, UTF-8) of <paramref name="parent"/>, created if new.</summary>
    public int InternChild(int parent, ReadOnlySpan<byte> utf8Name)
    {
        lock (_lock)
        {
            if ((uint)parent >= (uint)_count)
            {
                throw new ArgumentOutOfRangeException(nameof(parent));
            }
            return GetOrAddChild(parent, _names.GetOrAdd(utf8Name));
        }
    }

    /// <summary>Appends the node's own name (one segment) as UTF-8.</summary>
    public void AppendNameUtf8(int node, System.Buffers.IBufferWriter<byte> to)
    {
        lock (_lock)
        {
            var bytes = _names.Bytes(_nodes[node].Name);
            bytes.CopyTo(to.GetSpan(bytes.Length));
            to.Advance(bytes.Length);
        }
    }

    /// <summary>The node of a normalised path, or <see cref="None"/> when no layer has it.</summary>
    public int Find(ReadOnlySpan<char> path)
    {
        lock (_lock)
        {
            var node = Root;
            foreach (var range in path.Split('/'))
            {
                var segment = path[range];
                if (segment.IsEmpty)
                {
                    continue;
                }
                var child = None;
                for (var c = _nodes[node].FirstChild; c != None; c = _nodes[c].NextSibling)
                {
                    if (NameEquals(_nodes[c].Name, segment))
                    {
                        child = c;
                        break;
                    }
                }
                if (child == None)
                {
                    return None;
                }
                node = child;
            }
            return node;
        }
    }

    private bool NameEquals(int nameId, ReadOnlySpan<char> segment)
    {
        var bytes = _names.Bytes(nameId);
        Span<char> chars = stackalloc char[Math.Min(bytes.Length, 1024)];
        if (bytes.Length > 1024)
        {
            return _names.GetString(nameId).AsSpan().SequenceEqual(segment);
        }
        var n = Encoding.UTF8.GetChars(bytes, chars);
        return chars[..n].SequenceEqual(segment);
    }

    public int Parent(int node) => _nodes[node].Parent;

    public int FirstChild(int node) => _nodes[node].FirstChild;

    public int NextSibling(int node) => _nodes[node].NextSibling;

    public string Name(int node)
    {
        lock (_lock)
        {
            return _names.GetString(_nodes[node].Name);
        }
    }

    public string PathOf(int node)
    {
        if (node == Root)
        {
            return "";
        }
        var parts = new List<int>();
        for (var n = node; n != Root; n = _nodes[n].Parent)
        {
            parts.Add(n);
        }
        var sb = new StringBuilder();
        lock (_lock)
        {
            for (var i = parts.Count - 1; i >= 0; i--)
            {
                if (sb.Length > 0)
                {
                    sb.Append('/');
                }
                sb.Append(_names.GetString(_nodes[parts[i]].Name));
            }
        }
        return sb.ToString();
    }

    private int GetOrAddChild(int parent, int nameId)
    {
        var bucket = Bucket(parent, nameId, _buckets.Length - 1);
        for (var id = _buckets[bucket] - 1; id != None; id = _nodes[id].NextInBucket)
        {
            ref var n = ref _nodes[id];
            if (n.Parent == parent && n.Name == nameId)
            {
                return id;
            }
        }
        var node = _count;
        _nodes.Add(new Node { Parent = parent, Name = nameId, FirstChild = None, NextSibling = _nodes[parent].FirstChild, NextInBucket = _buckets[bucket] - 1 });
        _nodes[parent].FirstChild = node; // after Add: growing the first chunk moves the records
        _buckets[bucket] = node + 1;
        Volatile.Write(ref _count, node + 1);
        if (_count > _buckets.Length)
        {
            Rehash();
        }
        return node;
    }

    private static int Bucket(int parent, int nameId, int mask) =>
        (int)((uint)HashCode.Combine(parent, nameId) & (uint)mask);

    /// <summary>Doubles the bucket array and relinks every node; the node records stay where they are.</summary>
    private void Rehash()
    {
        var buckets = new int[_buckets.Length * 2];
        var mask = buckets.Length - 1;
        for (var id = 1; id < _count; id++)
        {
            ref var n = ref _nodes[id];
            var bucket = Bucket(n.Parent, n.Name, mask);
            n.NextInBucket = buckets[bucket] - 1;
            buckets[bucket] = id + 1;
        }
        _buckets = buckets;
    }
}
