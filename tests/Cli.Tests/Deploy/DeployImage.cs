using LayerLens.TestInfrastructure.Processes;

namespace LayerLens.Cli.Tests.Deploy;

/// <summary>
/// Builds infra/deploy/Containerfile once per test run, offline: the bases come from this host's files
/// (infra/deploy/offline-bases.sh), packages from the host's NuGet folder, and buildah runs in a network namespace
/// of its own, so any registry or feed access fails the build. Storage (overlay) and buildah's layer cache live
/// under /var/tmp/layerlens-deploy, like infra/bench's, so a run whose project files are unchanged skips the restore.
/// </summary>
public sealed class DeployImage : IAsyncLifetime
{
    public const string Tag = "localhost/layerlens:suite";
    private const string Cache = "/var/tmp/layerlens-deploy";
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(20);
    private IAsyncDisposable? _lock;

    public static IReadOnlyList<string> Store { get; } =
        ["--root", $"{Cache}/storage", "--runroot", $"{Cache}/run", "--storage-driver", "overlay"];

    /// <summary>The built image as an OCI layout (for <c>layerlens analyze oci:…</c>).</summary>
    public string OciLayout { get; } = Path.Combine(Path.GetTempPath(), $"layerlens-deploy-{Guid.NewGuid():N}");

    public string BuildLog { get; private set; } = "";

    public static Task<ProcessResult> BuildahAsync(IEnumerable<string> arguments, bool check = true, TimeSpan? timeout = null) =>
        ProcessRunner.RunAsync("buildah", [.. Store, .. arguments], new ProcessOptions { CheckExitCode = check, Timeout = timeout });

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Cache);
        // One build at a time in this store (another test run, or infra/test.sh's parallel classes).
        _lock = await StoreLock.AcquireAsync($"{Cache}/build.lock", BuildTimeout);
        var root = CliRunner.RepoRoot;
        await ProcessRunner.RunAsync("bash", [Path.Combine(root, "infra", "deploy", "offline-bases.sh"), .. Store],
            new ProcessOptions { Timeout = TimeSpan.FromMinutes(10) });
        var build = await ProcessRunner.RunAsync("unshare", [
            "--net", "buildah", .. Store, "build", "--isolation", "chroot", "--layers", "--format", "docker",
            "--build-arg", "SDK_IMAGE=localhost/layerlens-offline/sdk:10.0",
            "--build-arg", "RUNTIME_IMAGE=localhost/layerlens-offline/aspnet:10.0",
            "--build-arg", "RESTORE_ARGS=--source /nuget-offline -p:NuGetAudit=false",
            "-v", $"{NuGetPackages}:/nuget-offline:ro",
            "-f", Path.Combine(root, "infra", "deploy", "Containerfile"), "-t", Tag, root,
        ], new ProcessOptions { Timeout = BuildTimeout, CheckExitCode = false });
        BuildLog = build.StandardOutput + build.StandardError;
        Assert.True(build.ExitCode == 0, $"the image did not build:\n{BuildLog}");
        await BuildahAsync(["push", Tag, $"oci:{OciLayout}:latest"]);
    }

    public async Task DisposeAsync()
    {
        if (Directory.Exists(OciLayout))
        {
            Directory.Delete(OciLayout, recursive: true);
        }
        if (_lock is not null)
        {
            await _lock.DisposeAsync();
        }
    }

    private static string NuGetPackages =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}

/// <summary>An exclusive lock file (FileShare.None is an flock on Linux), retried until free.</summary>
internal sealed class StoreLock(FileStream stream) : IAsyncDisposable
{
    public static async Task<IAsyncDisposable> AcquireAsync(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new StoreLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
        }
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();
}
