namespace LayerLens.Analyzer.Tests.Dockerfiles;

/// <summary>Locates the repository root (the folder with Analyzer.sln) and the shared data beside it.</summary>
internal static class SharedData
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Analyzer.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Analyzer.sln not found above " + AppContext.BaseDirectory);
    });

    public static string RepoRoot => Root.Value;

    public static string Shared(params string[] parts) => Path.Combine([Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared")), .. parts]);

    public static string BuildKitParser(params string[] parts) => Shared(["conformance", "buildkit-parser", .. parts]);

    public static IEnumerable<string> CorpusFiles() =>
        Directory.EnumerateFiles(Shared("corpus", "dockerfiles-official")).Order(StringComparer.Ordinal);

    public static IEnumerable<object[]> PositiveCases() =>
        Directory.EnumerateDirectories(BuildKitParser("testfiles")).Select(Path.GetFileName).Order(StringComparer.Ordinal).Select(n => new object[] { n! });

    /// <summary>Reads a file as BuildKit would see it: bytes decoded as UTF-8, nothing stripped.</summary>
    public static string ReadText(string path) => new System.Text.UTF8Encoding(false, true).GetString(File.ReadAllBytes(path));
}
