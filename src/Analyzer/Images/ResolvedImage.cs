using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Images;

/// <summary>An image reduced to what the engine needs: its config and its ordered layer blobs.</summary>
public sealed class ResolvedImage : IDisposable
{
    private readonly IDisposable? _owner;

    public ResolvedImage(IDisposable? owner) => _owner = owner;

    public required string Reference { get; init; }
    public required string? ManifestDigest { get; init; }
    public required string? ConfigDigest { get; init; }
    public required ImageConfigFile Config { get; init; }

    /// <summary>The config blob as stored (its digest verified), for writers that must keep fields the model does not name.</summary>
    public byte[]? ConfigBytes { get; init; }
    public required IReadOnlyList<LayerBlob> Layers { get; init; }

    public string Platform
    {
        get
        {
            var p = Config.Os is null || Config.Architecture is null ? (Platform?)null : new Platform(Config.Os, Config.Architecture, Config.Variant);
            return p?.ToString() ?? "unknown";
        }
    }

    public void Dispose() => _owner?.Dispose();
}
