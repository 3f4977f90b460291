using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.FileTree;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.Analysis;

/// <summary>Everything the engine learned about one image; report writers only format it.</summary>
public sealed record ImageAnalysis
{
    public required string Reference { get; init; }
    public required string? Digest { get; init; }
    public required string Platform { get; init; }
    public required long CompressedSizeBytes { get; init; }
    public required long SizeBytes { get; init; }
    public required long FinalBytes { get; init; }
    public required int FileCount { get; init; }
    public required long WastedBytes { get; init; }
    public required double Efficiency { get; init; }
    public required long DuplicateBytes { get; init; }
    public required IReadOnlyList<LayerAnalysis> Layers { get; init; }

    /// <summary>Waste items of every kind, largest first.</summary>
    public required IReadOnlyList<WasteItem> Waste { get; init; }

    public required ImageConfigSummary Config { get; init; }

    /// <summary>The merged tree, for per-layer directory views.</summary>
    public required LayeredTree Tree { get; init; }
}

public sealed class LayerAnalysis
{
    public required int Index { get; init; }
    public required string? Digest { get; init; }
    public required string? DiffId { get; init; }
    public required long CompressedSizeBytes { get; init; }
    public required long SizeBytes { get; init; }
    public required long UncompressedTarBytes { get; init; }
    public required CompressionKind Compression { get; init; }
    public required string? CreatedBy { get; init; }
    public required int EntryCount { get; init; }
    public required int Added { get; init; }
    public required int Modified { get; init; }
    public required int Removed { get; init; }
}

public sealed class ImageConfigSummary
{
    public IReadOnlyList<string> Env { get; init; } = [];
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public IReadOnlyList<string>? Cmd { get; init; }
    public string? WorkingDir { get; init; }
    public string? User { get; init; }
    public IReadOnlyList<string> ExposedPorts { get; init; } = [];
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}
