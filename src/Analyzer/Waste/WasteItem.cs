namespace LayerLens.Analyzer.Waste;

/// <summary>
/// Bytes that are shipped but dead (or visible but avoidable). <see cref="LayerIndex"/> shipped
/// them, <see cref="CauseLayerIndex"/> made them dead. <see cref="Files"/> counts the files an
/// aggregated item (a deleted directory, a chmod -R) stands for.
/// </summary>
public sealed record WasteItem(WasteKind Kind, string Path, long Bytes, int LayerIndex, int CauseLayerIndex, int Files)
{
    /// <summary>For duplicates: the path whose content this copy repeats.</summary>
    public string? OriginalPath { get; init; }
}
