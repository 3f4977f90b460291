namespace LayerLens.Web.Trees;

/// <summary>Lists one directory at one layer; the explorer asks for nothing more.</summary>
public interface ITreeSource
{
    IReadOnlyList<TreeEntry> ListDirectory(int layer, string path);
}
