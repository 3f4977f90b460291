namespace LayerLens.Analyzer.FileTree;

/// <summary>
/// "List a directory at layer N": what the explorer and the tree comparer ask of a layered filesystem,
/// answered alike by the in-memory <see cref="LayeredTree"/> and the stored tree file
/// (<see cref="Stored.TreeFileReader"/>).
/// </summary>
public interface ITreeSource
{
    int LayerCount { get; }

    /// <summary>
    /// The children of directory <paramref name="path"/> in the merged filesystem at <paramref name="layer"/>,
    /// sorted by name (ordinal), each marked added/modified/removed by that layer or unchanged; entries that
    /// layer removed are listed with the version removed. Empty when the directory is not there at that layer.
    /// </summary>
    IReadOnlyList<TreeEntry> ListDirectory(int layer, string path);
}
