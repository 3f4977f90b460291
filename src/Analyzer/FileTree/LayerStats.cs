namespace LayerLens.Analyzer.FileTree;

/// <summary>Per-layer counts as PRODUCT.md defines them.</summary>
public sealed class LayerStats
{
    public int Added { get; set; }
    public int Modified { get; set; }
    public int Removed { get; set; }
}
