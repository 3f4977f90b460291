namespace LayerLens.Analyzer.BuildContexts.Archives;

/// <summary>Names inside a build-context archive: normalising them, what is dropped or special, and refusals that name the entry.</summary>
internal static class ContextPaths
{
    /// <summary>Directories of version-control metadata: their configuration can make a tool run programs.</summary>
    public static readonly IReadOnlySet<string> MetadataNames = new HashSet<string>(StringComparer.Ordinal)
    {
        ".git", ".hg", ".svn", ".bzr", "_darcs", "CVS", ".fslckout", "_FOSSIL_", ".pijul", ".jj", ".sl",
    };

    public static bool IsMetadata(string path) => path.Split('/').Any(MetadataNames.Contains);

    /// <summary>Files the reviewer and the builder read by name at the root: they must not be links.</summary>
    public static bool IsBuildControlFile(string path) =>
        !path.Contains('/', StringComparison.Ordinal)
        && (path is ".dockerignore" or ".containerignore" or "Dockerfile" or "Containerfile"
            || path.EndsWith(".dockerignore", StringComparison.Ordinal)
            || path.StartsWith("Dockerfile.", StringComparison.Ordinal)
            || path.EndsWith(".Dockerfile", StringComparison.Ordinal));

    /// <summary>Drops <c>.</c> and empty components; null when a <c>..</c> appears.</summary>
    public static string? Normalize(string name)
    {
        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }
            if (part == "..")
            {
                return null;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    public static ContextArchiveException Escapes(string name, string linkTarget) =>
        Refusal(name, $"is a symbolic link to '{Printable(linkTarget)}', which leads outside the build context (followed through the archive's other links)");

    public static ContextArchiveException Refusal(string name, string why) => new($"build context entry '{Printable(name)}' {why}");

    public static string Printable(string name) => name.Replace('\0', '?').Replace('\n', '?').Replace('\r', '?');
}
