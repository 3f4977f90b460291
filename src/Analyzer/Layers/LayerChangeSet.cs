namespace LayerLens.Analyzer.Layers;

/// <summary>What one layer tar says, in tar order: written entries, whiteouts and opaque markers.</summary>
public sealed class LayerChangeSet
{
    public LayerChangeSet(int index) => Index = index;

    public int Index { get; }

    /// <summary>Entries the layer writes (whiteouts and opaque markers excluded), in tar order.</summary>
    public ChunkedList<FileVersion> Versions { get; } = new();

    /// <summary>Nodes named by <c>.wh.NAME</c> entries.</summary>
    public List<int> Whiteouts { get; } = [];

    /// <summary>Directories holding a <c>.wh..wh..opq</c> marker.</summary>
    public List<int> OpaqueDirectories { get; } = [];

    public List<string> SymlinkTargets { get; } = [];

    /// <summary>Sum of the header sizes of the regular-file entries (hard links count 0), as shipped.</summary>
    public long SizeBytes { get; set; }

    public int EntryCount { get; set; }
}
