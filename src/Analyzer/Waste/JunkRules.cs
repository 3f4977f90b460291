namespace LayerLens.Analyzer.Waste;

/// <summary>
/// Known caches and build leftovers: package-manager indexes and caches, <c>__pycache__</c>,
/// <c>.git</c>, temp directories and files. Everything under a junk directory is junk.
/// </summary>
public sealed class JunkRules
{
    private static readonly string[] DefaultDirectories =
    [
        "var/cache/apt", "var/lib/apt/lists", "var/cache/apk", "var/cache/yum", "var/cache/dnf",
        "var/cache/zypp", "var/cache/pacman", "var/lib/dnf/repos", "root/.cache", "root/.npm",
        "root/.cargo/registry", "root/.gradle/caches", "root/.m2/repository", "tmp", "var/tmp",
    ];

    private static readonly string[] DefaultDirectoryNames = ["__pycache__", ".git"];

    private static readonly string[] HomeCacheNames = [".cache", ".npm"];

    private static readonly string[] DefaultFileSuffixes = [".tmp", ".swp", "~"];

    public static JunkRules Default { get; } = new();

    public bool IsJunkDirectory(string path)
    {
        foreach (var prefix in DefaultDirectories)
        {
            if (path == prefix)
            {
                return true;
            }
        }
        var slash = path.LastIndexOf('/');
        var name = path[(slash + 1)..];
        foreach (var n in DefaultDirectoryNames)
        {
            if (name == n)
            {
                return true;
            }
        }
        // home/<user>/.cache and friends
        if (path.StartsWith("home/", StringComparison.Ordinal) && path.Count(c => c == '/') == 2)
        {
            foreach (var n in HomeCacheNames)
            {
                if (name == n)
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>
    /// A junk directory that is junk by its name (<c>__pycache__</c>, <c>.git</c>) rather than a place the
    /// system expects to exist (<c>/tmp</c>, <c>/var/cache/apt</c>, a home's <c>.cache</c>): removing junk
    /// removes the former whole and empties the latter.
    /// </summary>
    public bool IsJunkByName(string path)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        return DefaultDirectoryNames.Contains(name) && !DefaultDirectories.Contains(path);
    }

    public bool IsJunkFile(string name)
    {
        foreach (var suffix in DefaultFileSuffixes)
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && name.Length > suffix.Length)
            {
                return true;
            }
        }
        return false;
    }
}
