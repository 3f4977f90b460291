namespace LayerLens.Analyzer.Blobs;

/// <summary>
/// Bounds that keep hostile images (decompression bombs, giant manifests, endless entries) from
/// exhausting memory, disk or time. Defaults fit real images with a wide margin.
/// </summary>
public sealed record AnalysisLimits
{
    public long MaxLayerUncompressedBytes { get; init; } = 32L * 1024 * 1024 * 1024;
    public long MaxImageUncompressedBytes { get; init; } = 128L * 1024 * 1024 * 1024;
    public int MaxEntriesPerLayer { get; init; } = 5_000_000;
    public int MaxPathLength { get; init; } = 4096;
    public int MaxLayers { get; init; } = 1000;
    public int MaxJsonBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Uncompressed ÷ compressed bytes beyond which a layer is a bomb ...</summary>
    public double MaxCompressionRatio { get; init; } = 1000;

    /// <summary>... once at least this many uncompressed bytes have been read (small layers compress freely).</summary>
    public long CompressionRatioGraceBytes { get; init; } = 64L * 1024 * 1024;

    public static AnalysisLimits Default { get; } = new();
}
