namespace LayerLens.TestInfrastructure;

/// <summary>Finds the repository (the folder holding Analyzer.sln) and shared/ beside it.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootLazy = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Analyzer.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Analyzer.sln above {AppContext.BaseDirectory}.");
    });

    public static string Root => RootLazy.Value;

    /// <summary>The read-only shared/ folder (product brief, corpora) that sits beside the clone.</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    /// <summary>Debug or Release: the configuration the running tests were built with.</summary>
    public static string BuildConfiguration =>
        new DirectoryInfo(AppContext.BaseDirectory).Parent?.Parent?.Name is { } name && (name == "Release" || name == "Debug") ? name : "Debug";

    /// <summary>Where tests put screenshots and logs worth keeping after a failure.</summary>
    public static string Artifacts
    {
        get
        {
            var path = Path.Combine(Root, ".test-artifacts");
            Directory.CreateDirectory(path);
            return path;
        }
    }
}
