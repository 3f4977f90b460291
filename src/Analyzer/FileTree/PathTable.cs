using System.Text;

namespace LayerLens.Analyzer.FileTree;

/// <summary>
/// Every path seen in any layer, as a node id. Nodes are struct-of-arrays (parent, name, first
/// child, next sibling) with an open-addressing (parent, name) → node index: about 28 bytes per
/// node plus its name. Node 0 is the root. Interning is thread-safe so layers can be read in parallel.
/// </summary>
public sealed class PathTable
{
    public const int Root = 0;
    public const int None = -1;

    private readonly object _lock = new();
    private readonly NameTable _names = new();
    private int[] _parent = new int[1024];
    private int[] _name = new int[1024];
    private int[] _firstChild = new int[1024];
    private int[] _nextSibling = new int[1024];
    private int[] _slots = new int[2048];
    private int _count;

    public PathTable()
    {
        _parent[0] = None;
        _name[0] = _names.GetOrAdd("");
        _firstChild[0] = None;
        _nextSibling[0] = None;
        _count = 1;
    }

    public int Count => Volatile.Read(ref _count);

    public long MemoryBytes => _names.MemoryBytes + (long)_parent.Length * 16 + (long)_slots.Length * 4;

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
                for (var c = _firstChild[node]; c != None; c = _nextSibling[c])
                {
                    if (NameEquals(_name[c], segment))
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

    public int Parent(int node) => _parent[node];

    public int FirstChild(int node) => _firstChild[node];

    public int NextSibling(int node) => _nextSibling[node];

    public string Name(int node)
    {
        lock (_lock)
        {
            return _names.GetString(_name[node]);
        }
    }

    public string PathOf(int node)
    {
        if (node == Root)
        {
            return "";
        }
        var parts = new List<int>();
        for (var n = node; n != Root; n = _parent[n])
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
                sb.Append(_names.GetString(_name[parts[i]]));
            }
        }
        return sb.ToString();
    }

    private int GetOrAddChild(int parent, int nameId)
    {
        var mask = _slots.Length - 1;
        var slot = Slot(parent, nameId, mask);
        while (true)
        {
            var id = _slots[slot] - 1;
            if (id < 0)
            {
                break;
            }
            if (_parent[id] == parent && _name[id] == nameId)
            {
                return id;
            }
            slot = (slot + 1) & mask;
        }
        var node = _count;
        if (node == _parent.Length)
        {
            var size = node * 2;
            Array.Resize(ref _parent, size);
            Array.Resize(ref _name, size);
            Array.Resize(ref _firstChild, size);
            Array.Resize(ref _nextSibling, size);
        }
        _parent[node] = parent;
        _name[node] = nameId;
        _firstChild[node] = None;
        _nextSibling[node] = _firstChild[parent];
        _firstChild[parent] = node;
        _slots[slot] = node + 1;
        Volatile.Write(ref _count, node + 1);
        if (_count * 4 > _slots.Length * 3)
        {
            Rehash();
        }
        return node;
    }

    private static int Slot(int parent, int nameId, int mask) =>
        (int)((uint)HashCode.Combine(parent, nameId) & (uint)mask);

    private void Rehash()
    {
        var slots = new int[_slots.Length * 2];
        var mask = slots.Length - 1;
        for (var id = 1; id < _count; id++)
        {
            var slot = Slot(_parent[id], _name[id], mask);
            while (slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }
            slots[slot] = id + 1;
        }
        _slots = slots;
    }
}
