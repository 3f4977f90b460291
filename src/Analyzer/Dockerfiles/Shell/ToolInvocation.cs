namespace LayerLens.Analyzer.Dockerfiles.Shell;

/// <summary>
/// A recognised package-manager, build or download command: the tool, its subcommand, options, the packages
/// or URLs it names, and the files it reads and writes when known (relative paths are in the working directory).
/// </summary>
public sealed record ToolInvocation(
    string Tool,
    string? Subcommand,
    IReadOnlyList<string> Options,
    IReadOnlyList<string> Packages,
    IReadOnlyList<string> Reads,
    IReadOnlyList<string> Writes,
    ShellCommand Command)
{
    public bool HasOption(params string[] names) => Options.Any(o => names.Any(n => o == n || o.StartsWith(n + "=", StringComparison.Ordinal)));

    /// <summary>For a dependency install confined to its manifests: all it may read and write (null otherwise).</summary>
    public InstallFootprint? Footprint { get; init; }

    /// <summary>Why this install runs code of the project itself during install (a local package, the project's root), or null.</summary>
    public string? RunsProjectCode { get; init; }

    /// <summary>True for short option clusters too: <c>-yq</c> has <c>-y</c>.</summary>
    public bool HasShortOption(char letter) => Options.Any(o => o.Length > 1 && o[0] == '-' && o[1] != '-' && o.Contains(letter, StringComparison.Ordinal));
}
