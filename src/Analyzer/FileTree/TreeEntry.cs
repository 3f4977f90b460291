using LayerLens.Analyzer.Layers;

namespace LayerLens.Analyzer.FileTree;

/// <summary>One child of a directory as seen at one layer: a row of the explorer, an input of the tree comparer.</summary>
/// <param name="Size">A file's size; for a directory the bytes of the files visible below it at that layer
/// (at the layer before, for a directory that layer removed).</param>
/// <param name="LayerIndex">The layer that wrote the version shown (for removed entries, the version removed).</param>
/// <param name="Implicit">A directory no layer wrote, implied by entries below it.</param>
/// <param name="IsWaste">The entry is (or lies under) a path the waste analysis names; only the stored tree knows.</param>
/// <param name="ContainsWaste">A directory with waste somewhere below it; only the stored tree knows.</param>
public sealed record TreeEntry(
    string Name,
    string Path,
    EntryKind Kind,
    long Size,
    ChangeStatus Status,
    int LayerIndex,
    bool Implicit,
    string? LinkTarget,
    bool IsWaste = false,
    bool ContainsWaste = false)
{
    public bool IsDirectory => Kind == EntryKind.Directory;
}
