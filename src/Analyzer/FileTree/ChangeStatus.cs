namespace LayerLens.Analyzer.FileTree;

public enum ChangeStatus : byte
{
    Unchanged,
    Added,
    Modified,
    Removed,
}
