using LayerLens.Analyzer.FileTree;
using LayerLens.Analyzer.Layers;

namespace LayerLens.Web.Trees;

/// <summary>One row of the explorer: a child of a directory as seen at one layer.</summary>
/// <param name="Size">A file's size; for a directory the bytes of the files visible below it at that layer.</param>
/// <param name="LayerIndex">The layer that wrote the version shown (for removed entries, the version removed).</param>
/// <param name="IsWaste">The entry is (or lies under) a path the waste analysis names.</param>
/// <param name="ContainsWaste">A directory with waste somewhere below it.</param>
public sealed record TreeEntry(
    string Name,
    string Path,
    EntryKind Kind,
    long Size,
    ChangeStatus Status,
    int LayerIndex,
    bool IsWaste,
    bool ContainsWaste,
    string? LinkTarget,
    int ChildCount)
{
    public bool IsDirectory => Kind == EntryKind.Directory;
}
