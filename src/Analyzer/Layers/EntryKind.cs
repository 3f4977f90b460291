namespace LayerLens.Analyzer.Layers;

public enum EntryKind : byte
{
    File,
    Directory,
    Symlink,
    HardLink,
    /// <summary>Character/block devices and FIFOs.</summary>
    Other,
}
