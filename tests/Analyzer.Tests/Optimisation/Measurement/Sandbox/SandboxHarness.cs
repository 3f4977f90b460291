using LayerLens.Analyzer.Optimisation.Measurement;
using LayerLens.Analyzer.Optimisation.Measurement.Sandbox;

using LayerLens.Analyzer.Tests.Optimisation;

namespace LayerLens.Analyzer.Tests.Optimisation.Measurement.Sandbox;

/// <summary>
/// Builds a Dockerfile (busybox from scratch plus the attack's RUN steps) in the real build sandbox: real buildah,
/// real namespaces and cgroups, the build user infra/setup-build-sandbox.sh creates. Small limits keep each test
/// to seconds.
/// </summary>
internal static class SandboxHarness
{
    public const string Base = "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n";

    public static readonly SandboxLimits Small = new()
    {
        MemoryBytes = 384L * 1024 * 1024,
        Pids = 256,
        CpuCores = 1,
        DiskBytes = 256L * 1024 * 1024,
        TmpBytes = 16L * 1024 * 1024,
    };

    public static BuildSandbox Sandbox(SandboxLimits? limits = null) => BuildSandbox.Create(BuildSandbox.DefaultUser, limits ?? Small);

    /// <summary>Builds <see cref="Base"/> + <paramref name="steps"/> in an experiment directory under <paramref name="work"/>.</summary>
    public static async Task<BuildOutcome> BuildAsync(TempDir work, string steps, SandboxLimits? limits = null, TimeSpan? timeout = null)
    {
        var dir = work.File("experiment");
        var context = Path.Combine(dir, "context");
        Directory.CreateDirectory(context);
        File.Copy("/bin/busybox", Path.Combine(context, "busybox"));
        Fixtures.SetMode(Path.Combine(context, "busybox"), "755");
        var dockerfile = work.File("Dockerfile");
        File.WriteAllText(dockerfile, Base + steps);
        var build = new SandboxedBuild(Sandbox(limits), dir, timeout ?? TimeSpan.FromMinutes(2), null);
        try
        {
            return await build.BuildAsync(dockerfile, context, "attack", CancellationToken.None);
        }
        finally
        {
            await build.CleanAsync();
        }
    }

    /// <summary>Runs <paramref name="script"/> directly as the build user in the sandbox (no buildah): what any build process can do before or beside buildah's user namespace.</summary>
    public static Task<SandboxRun> RunAsBuildUserAsync(TempDir work, string script) =>
        Sandbox().RunAsync(work.File("experiment"), [], script, [], TimeSpan.FromMinutes(1), CancellationToken.None);

    /// <summary>The RESULT lines a script or RUN step printed.</summary>
    public static List<string> Results(TimedOutput output) =>
        [.. output.Lines.Select(l => l.Line.Trim()).Where(l => l.StartsWith("RESULT", StringComparison.Ordinal))];

    /// <summary>Pids of host processes (as the host's /proc shows them) whose command line contains the marker.</summary>
    public static List<int> HostProcesses(string marker)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Contains(marker, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
        }
        return found;
    }

    /// <summary>The real uid of a host process, from the host's /proc/PID/status.</summary>
    public static int HostUid(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
}
