namespace LayerLens.TestInfrastructure.Processes;

/// <summary>Whether the tests run as root: buildah and PostgreSQL need to know (root builds; postgres refuses root).</summary>
public static class Privileges
{
    // Read from /proc rather than by running `id`: no process, and no blocking on async code in a static initializer.
    private static readonly Lazy<bool> Root = new(() =>
        File.ReadLines("/proc/self/status")
            .Where(line => line.StartsWith("Uid:", StringComparison.Ordinal))
            .Select(line => line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries))
            .Any(fields => fields.Length > 2 && fields[2] == "0"));

    /// <summary>True when the effective user id is 0.</summary>
    public static bool IsRoot => Root.Value;

    /// <summary>
    /// The command and arguments to run a root-only tool: directly as root, otherwise through
    /// non-interactive sudo so a developer account with sudo rights works too.
    /// </summary>
    public static (string FileName, IReadOnlyList<string> Arguments) AsRoot(string fileName, IEnumerable<string> arguments) =>
        IsRoot
            ? (fileName, arguments.ToList())
            : ("sudo", new[] { "-n", fileName }.Concat(arguments).ToList());
}
