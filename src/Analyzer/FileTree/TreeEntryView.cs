using LayerLens.Analyzer.Layers;

namespace LayerLens.Analyzer.FileTree;

/// <summary>One entry of a directory as seen at a given layer.</summary>
/// <param name="LayerIndex">The layer that wrote the version shown (for removed entries, the version removed).</param>
/// <param name="Implicit">A directory no layer wrote, implied by entries below it.</param>
public sealed record TreeEntryView(
    string Name,
    string Path,
    EntryKind Kind,
    long Size,
    ChangeStatus Status,
    int LayerIndex,
    bool Implicit,
    string? LinkTarget);
