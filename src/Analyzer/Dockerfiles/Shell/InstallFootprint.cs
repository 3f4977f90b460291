using System.Text.RegularExpressions;

namespace LayerLens.Analyzer.Dockerfiles.Shell;

/// <summary>
/// Everything a dependency install may read and write when its only inputs are its manifests: manifest paths
/// relative to the working directory (a <c>**/</c> prefix means "in any directory below"), outputs relative to
/// it, absolute directories it may write, and the manifest declarations that would make it run project code.
/// The lists over-approximate: a file the tool might touch is in them.
/// </summary>
public sealed record InstallFootprint(
    string Manager,
    IReadOnlyList<string> Manifests,
    IReadOnlyList<string> RelativeWrites,
    IReadOnlyList<string> AbsoluteWrites,
    IReadOnlyList<ManifestHook> Hooks)
{
    /// <summary>Where system package managers and language installers write: the whole system outside application directories.</summary>
    public static readonly string[] SystemRoots =
    [
        "/etc", "/var", "/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/opt", "/root", "/home", "/tmp", "/run", "/go", "/boot",
    ];

    /// <summary>Whether a manifest is named by a <c>**/</c> pattern rather than a concrete path.</summary>
    public bool HasSubtreeManifests => Manifests.Any(m => m.StartsWith("**/", StringComparison.Ordinal));
}

/// <summary>
/// A file whose presence (<see cref="Declares"/> null) or content makes an install run code of the project:
/// npm lifecycle scripts, composer scripts, a gemspec loaded by the Gemfile, maven modules. <see cref="Name"/>
/// matches a file name anywhere, or a directory at the root (".yarn").
/// </summary>
public sealed record ManifestHook(string Name, Regex? Declares, string Reason)
{
    public bool Matches(string path) =>
        path.StartsWith(Name + "/", StringComparison.Ordinal)
        || Path.GetFileName(path) == Name && !path.StartsWith("node_modules/", StringComparison.Ordinal) && !path.Contains("/node_modules/", StringComparison.Ordinal);

    /// <summary>Why the install may run project code judging by the context's files (null: it cannot); <paramref name="read"/> returns a small file's text or null.</summary>
    public static string? Find(IEnumerable<ManifestHook> hooks, IReadOnlyCollection<string>? files, Func<string, string?> read)
    {
        foreach (var hook in hooks)
        {
            if (files is null)
            {
                return $"no build context to check {hook.Name} for code the install would run";
            }
            foreach (var path in files.Where(hook.Matches))
            {
                if (hook.Declares is null)
                {
                    return $"{path}: {hook.Reason}";
                }
                if (read(path) is not { } text || hook.Declares.IsMatch(text))
                {
                    return $"{path}: {hook.Reason}";
                }
            }
        }
        return null;
    }
}
