using static LayerLens.Analyzer.BuildContexts.Archives.ContextPaths;

namespace LayerLens.Analyzer.BuildContexts.Archives;

/// <summary>The extraction's target directory: the second line of defence behind <see cref="ContextEntryMap"/>.</summary>
internal sealed class ContextDisk(string root)
{
    /// <summary>
    /// The on-disk path of <paramref name="path"/> after checking, with lstat, that no component is a symbolic
    /// link and each is what the map says — a second line behind the map, should the disk ever disagree.
    /// </summary>
    public string Checked(string path, ContextEntryKind kind, bool mayExist)
    {
        var full = Path.GetFullPath(Path.Combine(root, path));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw Refusal(path, "resolves outside the build context");
        }
        var current = root;
        var parts = path.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            current = Path.Combine(current, parts[i]);
            var info = new FileInfo(current);
            var last = i == parts.Length - 1;
            if (info.LinkTarget is not null)
            {
                if (last && kind == ContextEntryKind.Symlink && mayExist)
                {
                    continue;
                }
                throw Refusal(path, $"meets a symbolic link on disk at '{Printable(string.Join('/', parts[..(i + 1)]))}' that the archive did not put there");
            }
            if (!last && File.Exists(current))
            {
                throw Refusal(path, $"meets a file on disk at '{Printable(string.Join('/', parts[..(i + 1)]))}' where a directory should be");
            }
            if (last && !mayExist && (File.Exists(current) || (kind != ContextEntryKind.Directory && Directory.Exists(current))))
            {
                throw Refusal(path, "already exists on disk although the archive did not write it");
            }
        }
        return full;
    }
}
