namespace LayerLens.Data.Model;

/// <summary>What the user handed in: an image (uploaded or referenced) or a Dockerfile.</summary>
public enum AnalysisKind
{
    Image = 0,
    Dockerfile = 1,
}
