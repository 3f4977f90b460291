using System.Runtime.InteropServices;

namespace LayerLens.Analyzer.Layers;

/// <summary>
/// One entry a layer writes (40 bytes). <see cref="Link"/> is the target node of a hard link or the
/// index of a symlink target in <see cref="LayerChangeSet.SymlinkTargets"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public struct FileVersion
{
    public UInt128 Hash;
    public long Size;
    public int Node;
    public int Link;
    public int Mode;
    public EntryKind Kind;
}
