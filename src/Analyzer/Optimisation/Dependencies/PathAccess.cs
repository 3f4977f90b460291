namespace LayerLens.Analyzer.Optimisation.Dependencies;

/// <summary>
/// A path an instruction touches in the image: the whole tree at <see cref="Path"/>, or only the directory
/// entry itself (a parent directory COPY or mkdir creates on the way). Paths are absolute and clean;
/// <see cref="Path"/> "/" with Tree stands for "anything".
/// </summary>
public readonly record struct PathAccess(string Path, bool Tree = true)
{
    public static PathAccess Anything { get; } = new("/");

    public static PathAccess DirectoryEntry(string path) => new(path, false);

    /// <summary>True when the two accesses can touch the same file.</summary>
    public bool Overlaps(PathAccess other)
    {
        if (Tree && other.Tree)
        {
            return IsAtOrBelow(Path, other.Path) || IsAtOrBelow(other.Path, Path);
        }
        if (!Tree && !other.Tree)
        {
            // Two "make sure this directory exists" effects commute.
            return false;
        }
        var (entry, tree) = Tree ? (other, this) : (this, other);
        // A directory entry clashes with a tree access at it or above it, not with files below it.
        return IsAtOrBelow(entry.Path, tree.Path);
    }

    public static bool IsAtOrBelow(string path, string ancestor) =>
        ancestor == "/" || path == ancestor || path.StartsWith(ancestor + "/", StringComparison.Ordinal);

    public override string ToString() => Tree ? Path : Path + " (directory entry)";
}
