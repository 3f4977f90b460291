using System.Globalization;

namespace LayerLens.TestInfrastructure.Postgres;

/// <summary>Finds Debian's PostgreSQL binaries (/usr/lib/postgresql/&lt;version&gt;/bin), newest version first.</summary>
internal static class PostgresBinaries
{
    private const string Root = "/usr/lib/postgresql";

    public static string Directory { get; } = Find();

    public static string Tool(string name) => Path.Combine(Directory, name);

    private static string Find()
    {
        var candidates = System.IO.Directory.Exists(Root)
            ? System.IO.Directory.GetDirectories(Root)
                .Where(d => File.Exists(Path.Combine(d, "bin", "initdb")))
                .OrderByDescending(d => decimal.TryParse(Path.GetFileName(d), NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : 0m)
                .ToList()
            : [];
        return candidates.Count > 0
            ? Path.Combine(candidates[0], "bin")
            : throw new InvalidOperationException($"No PostgreSQL server found under {Root}/<version>/bin; run infra/install-test-deps.sh.");
    }
}
