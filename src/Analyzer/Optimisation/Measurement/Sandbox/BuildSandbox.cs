using System.Globalization;
using System.Runtime.ExceptionServices;

namespace LayerLens.Analyzer.Optimisation.Measurement.Sandbox;

/// <summary>A finished sandboxed run: its output, and the limit that stopped it, if one did.</summary>
public sealed record SandboxRun(TimedOutput Output, string? LimitReached);

/// <summary>The sandbox cannot be set up on this machine (no build user, no cgroups, not root, a tool missing).</summary>
public sealed class SandboxUnavailableException(string message) : Exception(message);

/// <summary>
/// Processes of a build outlived the kill at its end: the build directory may still be changing under them, so
/// nothing of it is read, edited or deleted afterwards.
/// </summary>
public sealed class BuildSurvivedException(string message) : Exception(message);

/// <summary>
/// Runs a build user's script over one build directory inside the sandbox (see README.md): own cgroups with
/// memory, pids and CPU limits; new pid, mount, network, IPC and UTS namespaces; a root file system built from an
/// allow-list; the store on a fixed-size file system; the build user (rootless buildah maps its RUN steps to the
/// user's subordinate ids); a cleared environment; a wall-time limit; every process killed when the run ends.
/// </summary>
public sealed class BuildSandbox
{
    public const string DefaultUser = "layerlens-build";

    /// <summary>Where the build directory appears inside the sandbox.</summary>
    public const string Inside = "/run/layerlens-build";

    private static readonly string[] Tools = ["bash", "unshare", "setpriv", "newuidmap", "newgidmap", "buildah", "skopeo", "mkfs.ext4", "pivot_root", "mount"];

    private BuildSandbox(string user, int uid, int gid, SandboxLimits limits)
    {
        User = user;
        Uid = uid;
        Gid = gid;
        Limits = limits;
    }

    public string User { get; }

    public int Uid { get; }

    public int Gid { get; }

    public SandboxLimits Limits { get; }

    /// <summary>Checks everything the sandbox needs; throws <see cref="SandboxUnavailableException"/> naming what is missing.</summary>
    public static BuildSandbox Create(string user, SandboxLimits limits)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new SandboxUnavailableException("the build sandbox needs Linux");
        }
        if (!Environment.IsPrivilegedProcess)
        {
            throw new SandboxUnavailableException("the build sandbox is set up by root (namespaces, cgroups, loop mounts); this process is not root");
        }
        var entry = File.ReadLines("/etc/passwd").Select(l => l.Split(':')).FirstOrDefault(f => f.Length >= 4 && f[0] == user)
            ?? throw new SandboxUnavailableException($"the build user '{user}' does not exist: run infra/setup-build-sandbox.sh");
        var uid = int.Parse(entry[2], CultureInfo.InvariantCulture);
        var gid = int.Parse(entry[3], CultureInfo.InvariantCulture);
        if (uid == 0 || gid == 0)
        {
            throw new SandboxUnavailableException($"the build user '{user}' is root (uid or gid 0); it must be an unprivileged user");
        }
        foreach (var file in new[] { "/etc/subuid", "/etc/subgid" })
        {
            if (!File.Exists(file) || !File.ReadLines(file).Any(l => l.StartsWith(user + ":", StringComparison.Ordinal) || l.StartsWith(uid.ToString(CultureInfo.InvariantCulture) + ":", StringComparison.Ordinal)))
            {
                throw new SandboxUnavailableException($"{file} gives '{user}' no subordinate ids: run infra/setup-build-sandbox.sh");
            }
        }
        var missing = Tools.Where(t => !OnPath(t)).ToList();
        if (missing.Count > 0)
        {
            throw new SandboxUnavailableException($"the build sandbox needs {string.Join(", ", missing)} (Debian: util-linux, uidmap, buildah, skopeo, e2fsprogs)");
        }
        if (!File.Exists("/dev/loop-control"))
        {
            throw new SandboxUnavailableException("the build sandbox needs loop devices (/dev/loop-control) for the store's size limit");
        }
        if (Cgroups.Unavailable() is { } why)
        {
            throw new SandboxUnavailableException("the build sandbox cannot create cgroups for its limits: " + why);
        }
        return new BuildSandbox(user, uid, gid, limits);
    }

    /// <summary>
    /// Runs <paramref name="script"/> (sh, as the build user, in <see cref="Inside"/>) over the build directory.
    /// The directory must be root's; its <c>store</c> file system is created on first use. Each bind maps a
    /// host path to a name inside the build directory, read-only.
    /// </summary>
    public async Task<SandboxRun> RunAsync(string buildDirectory, IReadOnlyList<(string Source, string Name)> binds, string script, IReadOnlyList<string> args, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var image = Path.Combine(buildDirectory, "store.img");
        var mountPoint = Path.Combine(buildDirectory, ".sandbox-root");
        // Root's and closed to the build user whatever the umask: it cannot replace a mount point, the store
        // image or the status file root reads back.
        foreach (var dir in new[] { buildDirectory, mountPoint, Path.Combine(buildDirectory, "store"), Path.Combine(buildDirectory, "home") })
        {
            Directory.CreateDirectory(dir);
            if (OperatingSystem.IsLinux())
            {
                File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }
        }
        foreach (var (source, name) in binds)
        {
            if (Directory.Exists(source))
            {
                Directory.CreateDirectory(Path.Combine(buildDirectory, name));
            }
            else if (!File.Exists(Path.Combine(buildDirectory, name)))
            {
                File.WriteAllBytes(Path.Combine(buildDirectory, name), []);
            }
        }
        if (!File.Exists(image))
        {
            await CreateStoreAsync(image, cancellationToken);
        }
        var status = Path.Combine(buildDirectory, ".store-free");
        File.Delete(status);

        var cgroups = Cgroups.Create(Limits, "layerlens-build-" + Guid.NewGuid().ToString("N")[..16]);
        List<string> command = ["-c", SandboxScript.Launcher, "layerlens-sandbox", .. cgroups.ProcsFiles, "--",
            "unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "--mount", "--net", "--ipc", "--uts", "--",
            "/bin/sh", "-c", SandboxScript.Enter, "layerlens-sandbox",
            mountPoint, buildDirectory, image, User, Limits.TmpBytes.ToString(CultureInfo.InvariantCulture)];
        foreach (var (source, name) in binds)
        {
            command.Add(source);
            command.Add(name);
        }
        command.Add("--");
        command.Add(script);
        command.AddRange(args);

        using var stop = new CancellationTokenSource();
        var watchdog = WatchPidsAsync(cgroups, stop.Token);
        TimedOutput? output = null;
        TimedOutput ran;
        string? limit;
        try
        {
            ExceptionDispatchInfo? failure = null;
            try
            {
                output = await TimedProcess.RunAsync("/bin/bash", command, timeout, cancellationToken, new Dictionary<string, string>
                {
                    ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin",
                    ["LANG"] = "C.UTF-8",
                });
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
            // Nothing of the build may outlive it: root touches the build directory next. If something does, that
            // replaces whatever else went wrong: the directory must then be left alone.
            await stop.CancelAsync();
            await watchdog;
            if (!cgroups.KillAll())
            {
                throw new BuildSurvivedException($"processes of the build ({string.Join(", ", cgroups.Members().Order())}) survived SIGKILL; "
                    + "its directory is left as it is and nothing of it is read");
            }
            failure?.Throw();
            limit = cgroups.LimitReached();
            ran = output!;
        }
        finally
        {
            cgroups.Remove();
        }
        // Read only now that no process of the build is left (the sandbox records it after killing the rest).
        if (limit is null && ran.ExitCode != 0 && DiskFull(status, ran))
        {
            limit = $"disk limit of {SandboxLimits.Bytes(Limits.DiskBytes)} reached";
        }
        if (limit is null && ran.TimedOut)
        {
            limit = $"time limit of {timeout.TotalSeconds:0} s reached";
        }
        return new SandboxRun(ran, limit);
    }

    /// <summary>A fork refused at the pids limit is a fork bomb (or a build no bigger limit would help): stop it now rather than at the timeout.</summary>
    private static async Task WatchPidsAsync(Cgroups cgroups, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(100, stop);
                if (cgroups.PidsRefused() > 0)
                {
                    // The final kill after the run reports survivors; this one only stops the bomb early.
                    _ = cgroups.KillAll();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The store's free bytes as root recorded them after the build, or an ENOSPC in the log.</summary>
    private static bool DiskFull(string status, TimedOutput output)
    {
        var info = new FileInfo(status);
        if (info.Exists && info.LinkTarget is null && info.Length < 64
            && long.TryParse(File.ReadAllText(status).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var free) && free < 4L * 1024 * 1024)
        {
            return true;
        }
        return output.Lines.Any(l => l.Line.Contains("no space left on device", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A sparse file of the disk limit's size holding an ext4 file system, no blocks reserved for root.</summary>
    private async Task CreateStoreAsync(string image, CancellationToken cancellationToken)
    {
        await using (var file = new FileStream(image, FileMode.CreateNew, FileAccess.Write))
        {
            file.SetLength(Limits.DiskBytes);
        }
        var mkfs = await TimedProcess.RunAsync("mkfs.ext4", ["-q", "-F", "-m", "0", image], TimeSpan.FromMinutes(2), cancellationToken);
        if (mkfs.ExitCode != 0)
        {
            throw new SandboxUnavailableException("creating the build's store file system failed: " + mkfs.Tail());
        }
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':')
            .Concat(["/usr/sbin", "/sbin"])
            .Any(d => d.Length > 0 && File.Exists(Path.Combine(d, tool)));
}
