using System.Runtime.InteropServices;

namespace LayerLens.Analyzer.Layers;

/// <summary>
/// One entry a layer writes (32 bytes: a million-file layer keeps a million of these).
/// <see cref="Link"/> is the target node of a hard link or the index of a symlink target in
/// <see cref="LayerChangeSet.SymlinkTargets"/>. The kind shares a word with the size: sizes are
/// below 2^56 bytes (64 PiB), which <see cref="LayerTarReader"/> checks.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public struct FileVersion
{
    public const long MaxSize = (1L << 56) - 1;
    private const int KindShift = 56;

    public UInt128 Hash;
    private long _sizeAndKind;
    public int Node;
    public int Link;

    public long Size
    {
        readonly get => _sizeAndKind & MaxSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxSize);
            _sizeAndKind = (_sizeAndKind & ~MaxSize) | value;
        }
    }

    public EntryKind Kind
    {
        readonly get => (EntryKind)(byte)((ulong)_sizeAndKind >> KindShift);
        set => _sizeAndKind = (_sizeAndKind & MaxSize) | ((long)value << KindShift);
    }
}
