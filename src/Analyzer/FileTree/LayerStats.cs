namespace LayerLens.Analyzer.FileTree;

/// <summary>Per-layer counts as docs/numbers.md ("Per-layer change counts") defines them.</summary>
public sealed class LayerStats
{
    public int Added { get; set; }
    public int Modified { get; set; }
    public int Removed { get; set; }
}
