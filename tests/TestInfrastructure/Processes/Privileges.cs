namespace LayerLens.TestInfrastructure.Processes;

/// <summary>Whether the tests run as root: buildah and PostgreSQL need to know (root builds; postgres refuses root).</summary>
public static class Privileges
{
    private static readonly Lazy<bool> Root = new(() =>
        ProcessRunner.RunAsync("id", "-u").GetAwaiter().GetResult().StandardOutput.Trim() == "0");

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
