using System.Runtime.InteropServices;
using System.Text;
using LayerLens.Analyzer.Layers;
using Microsoft.Win32.SafeHandles;
using static LayerLens.Analyzer.FileTree.Stored.TreeFileFormat;

namespace LayerLens.Analyzer.FileTree.Stored;

/// <summary>
/// Lists one directory of a tree file (written by <see cref="TreeFileWriter"/>) at one layer with a few positioned reads; holds only a file
/// handle, so any number of open pages cost no tree memory.
/// </summary>
public sealed class TreeFileReader : ITreeSource, IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly Header _header;

    public TreeFileReader(string path)
    {
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        var bytes = new byte[HeaderSize];
        if (RandomAccess.Read(_file, bytes, 0) != HeaderSize || MemoryMarshal.Read<Header>(bytes).Magic != Magic)
        {
            _file.Dispose();
            throw new InvalidDataException($"{path}: not a LayerLens tree file");
        }
        _header = MemoryMarshal.Read<Header>(bytes);
    }

    public int LayerCount => _header.LayerCount;

    public int NodeCount => _header.NodeCount;

    /// <inheritdoc/>
    public IReadOnlyList<TreeEntry> ListDirectory(int layer, string path)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, LayerCount);
        var normalized = PathNormalizer.Normalize(path) ?? throw new ArgumentException($"'{path}' escapes the root", nameof(path));
        var id = Find(normalized);
        if (id < 0)
        {
            return [];
        }
        var dir = ReadNodes(id, 1)[0];
        if (id != 0)
        {
            var events = ReadEvents(dir.EventStart, dir.EventCount);
            var at = LastAtOrBelow(events, layer);
            if (at < 0 || events[at].Status == (byte)ChangeStatus.Removed || events[at].Kind != (byte)EntryKind.Directory)
            {
                return [];
            }
        }
        if (dir.ChildCount == 0)
        {
            return [];
        }

        var nodes = ReadNodes(dir.FirstChild, dir.ChildCount);
        var first = nodes[0];
        var last = nodes[^1];
        var allEvents = ReadEvents(first.EventStart, last.EventStart + last.EventCount - first.EventStart);
        var allSizes = ReadSizes(first.SizeStart, last.SizeStart + last.SizeCount - first.SizeStart);
        var heapStart = first.NameOffset;
        var heapEnd = dir.FirstChild + dir.ChildCount < NodeCount ? ReadNodes(dir.FirstChild + dir.ChildCount, 1)[0].NameOffset : _header.HeapLength;
        var heap = ReadBytes(_header.HeapOffset + heapStart, checked((int)(heapEnd - heapStart)));
        var prefix = normalized.Length == 0 ? "" : normalized + "/";
        var parentIsWaste = (dir.Flags & NodeFlags.Waste) != 0;

        var result = new List<TreeEntry>(nodes.Length);
        foreach (var node in nodes)
        {
            var events = allEvents.AsSpan(node.EventStart - first.EventStart, node.EventCount);
            var at = LastAtOrBelow(events, layer);
            if (at < 0)
            {
                continue;
            }
            ChangeStatus status;
            var shown = events[at];
            if (shown.Status == (byte)ChangeStatus.Removed)
            {
                if (shown.Layer != layer)
                {
                    continue;
                }
                status = ChangeStatus.Removed; // a Removed event repeats the version it removed
            }
            else
            {
                status = shown.Layer != layer ? ChangeStatus.Unchanged : (ChangeStatus)shown.Status;
            }
            var name = StringAt(heap, node.NameOffset - heapStart);
            var kind = (EntryKind)shown.Kind;
            var size = kind == EntryKind.Directory
                ? SizeAt(allSizes.AsSpan(node.SizeStart - first.SizeStart, node.SizeCount), status == ChangeStatus.Removed ? layer - 1 : layer)
                : shown.Size;
            result.Add(new TreeEntry(
                name,
                prefix + name,
                kind,
                size,
                status,
                shown.VersionLayer,
                shown.Implicit != 0,
                shown.LinkOffset < 0 ? null : StringAt(heap, shown.LinkOffset - heapStart),
                parentIsWaste || (node.Flags & NodeFlags.Waste) != 0,
                (node.Flags & NodeFlags.ContainsWaste) != 0));
        }
        return result;
    }

    /// <summary>The node of a normalised path: a binary search by name among each level's children.</summary>
    private int Find(string path)
    {
        var id = 0;
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var node = ReadNodes(id, 1)[0];
            int lo = node.FirstChild, hi = node.FirstChild + node.ChildCount - 1;
            id = -1;
            while (lo <= hi)
            {
                var mid = lo + (hi - lo) / 2;
                var cmp = string.CompareOrdinal(ReadString(ReadNodes(mid, 1)[0].NameOffset), segment);
                if (cmp == 0)
                {
                    id = mid;
                    break;
                }
                if (cmp < 0) { lo = mid + 1; } else { hi = mid - 1; }
            }
            if (id < 0)
            {
                return -1;
            }
        }
        return id;
    }

    private static int LastAtOrBelow(ReadOnlySpan<Event> events, int layer)
    {
        var at = -1;
        for (var i = 0; i < events.Length && events[i].Layer <= layer; i++)
        {
            at = i;
        }
        return at;
    }

    private static long SizeAt(ReadOnlySpan<SizePoint> points, int layer)
    {
        long bytes = 0;
        foreach (var p in points)
        {
            if (p.Layer > layer)
            {
                break;
            }
            bytes = p.Bytes;
        }
        return bytes;
    }

    private Node[] ReadNodes(int start, int count) =>
        ReadStructs<Node>(_header.NodesOffset, start, count);

    private Event[] ReadEvents(int start, int count) =>
        ReadStructs<Event>(_header.EventsOffset, start, count);

    private SizePoint[] ReadSizes(int start, int count) =>
        ReadStructs<SizePoint>(_header.SizePointsOffset, start, count);

    private T[] ReadStructs<T>(long sectionOffset, int start, int count) where T : unmanaged
    {
        var result = new T[count];
        var size = Marshal.SizeOf<T>();
        var bytes = MemoryMarshal.AsBytes(result.AsSpan());
        ReadExactly(bytes, sectionOffset + (long)start * size);
        return result;
    }

    private byte[] ReadBytes(long offset, int count)
    {
        var bytes = new byte[count];
        ReadExactly(bytes, offset);
        return bytes;
    }

    private void ReadExactly(Span<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            var read = RandomAccess.Read(_file, buffer, offset);
            if (read == 0)
            {
                throw new InvalidDataException("tree file is truncated");
            }
            buffer = buffer[read..];
            offset += read;
        }
    }

    private string ReadString(long heapOffset)
    {
        Span<byte> length = stackalloc byte[4];
        ReadExactly(length, _header.HeapOffset + heapOffset);
        return Encoding.UTF8.GetString(ReadBytes(_header.HeapOffset + heapOffset + 4, MemoryMarshal.Read<int>(length)));
    }

    private static string StringAt(byte[] heap, long offset)
    {
        var start = checked((int)offset);
        var length = MemoryMarshal.Read<int>(heap.AsSpan(start, 4));
        return Encoding.UTF8.GetString(heap, start + 4, length);
    }

    public void Dispose() => _file.Dispose();
}
