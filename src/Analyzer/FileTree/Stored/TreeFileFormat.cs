using System.Runtime.InteropServices;

namespace LayerLens.Analyzer.FileTree.Stored;

/// <summary>
/// The per-analysis tree file: header | nodes | events | size points | string heap.
/// Nodes are numbered breadth-first with each directory's children sorted by name, so a directory's
/// children, their events, size points and names are each one contiguous range: listing a directory
/// is a handful of positioned reads, whatever the image's size.
/// </summary>
internal static class TreeFileFormat
{
    public const ulong Magic = 0x3130_4545_5254_4C4C; // "LLTREE01" little-endian
    public const int HeaderSize = 64;

    [Flags]
    public enum NodeFlags
    {
        None = 0,
        /// <summary>The node (or a directory above it) is named by a waste item.</summary>
        Waste = 1,
        /// <summary>Something below this directory is waste.</summary>
        ContainsWaste = 2,
    }

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct Header
    {
        public ulong Magic;
        public int LayerCount;
        public int NodeCount;
        public int EventCount;
        public int SizePointCount;
        public long NodesOffset;
        public long EventsOffset;
        public long SizePointsOffset;
        public long HeapOffset;
        public long HeapLength;
    }

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct Node
    {
        public int Parent;
        public int FirstChild;
        public int ChildCount;
        public int EventStart;
        public int EventCount;
        public int SizeStart;
        public int SizeCount;
        public NodeFlags Flags;
        public long NameOffset;
    }

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct Event
    {
        public long Size;
        /// <summary>Heap offset of the link target, or -1.</summary>
        public long LinkOffset;
        public short Layer;
        /// <summary>The layer that wrote the version (differs from <see cref="Layer"/> for removals).</summary>
        public short VersionLayer;
        public byte Status;
        public byte Kind;
        public byte Implicit;
    }

    /// <summary>A directory's visible bytes below it from <see cref="Layer"/> on.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct SizePoint
    {
        public long Bytes;
        public short Layer;
    }
}
