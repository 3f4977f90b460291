using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.FileTree;

/// <summary>Numbers about the final merged filesystem (docs/numbers.md, "Sizes").</summary>
public sealed class FinalFilesystem
{
    public long FinalBytes { get; init; }

    /// <summary>Visible regular-file paths, hard links included.</summary>
    public int FileCount { get; init; }

    public long DuplicateBytes { get; init; }

    public IReadOnlyList<WasteItem> Duplicates { get; init; } = [];

    public IReadOnlyList<WasteItem> Junk { get; init; } = [];
}
