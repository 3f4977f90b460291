using System.Globalization;

namespace LayerLens.Analyzer.Optimisation.Measurement.Sandbox;

/// <summary>
/// The cgroups of one build: memory, pids and CPU limits, and a way to kill every process in them. cgroup v2 when
/// /sys/fs/cgroup is cgroup2; otherwise one child per v1 hierarchy (memory, pids, cpu, freezer). Each child sits
/// under the service's own cgroup, so a build never escapes the limits the service itself runs under.
/// </summary>
public sealed class Cgroups
{
    private const string Root = "/sys/fs/cgroup";
    private readonly bool _v2;
    private readonly Dictionary<string, string> _dirs;
    private readonly SandboxLimits _limits;

    private Cgroups(bool v2, Dictionary<string, string> dirs, SandboxLimits limits)
    {
        _v2 = v2;
        _dirs = dirs;
        _limits = limits;
    }

    /// <summary>The build's cgroup directories (one per v1 hierarchy, or the one v2 directory).</summary>
    public IReadOnlyList<string> Directories => [.. _dirs.Values.Distinct()];

    /// <summary>The cgroup.procs files the launcher writes its pid into.</summary>
    public IReadOnlyList<string> ProcsFiles => [.. _dirs.Values.Distinct().Select(d => Path.Combine(d, "cgroup.procs"))];

    public static bool IsV2 => File.Exists(Path.Combine(Root, "cgroup.controllers"));

    /// <summary>Why builds cannot be limited here, or null when they can.</summary>
    public static string? Unavailable()
    {
        try
        {
            var probe = Create(new SandboxLimits(), "layerlens-probe-" + Guid.NewGuid().ToString("N")[..12]);
            probe.Remove();
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return ex.Message;
        }
    }

    /// <summary>Creates the children and writes the limits; throws naming the file that could not be written.</summary>
    public static Cgroups Create(SandboxLimits limits, string name)
    {
        var own = OwnPaths();
        Dictionary<string, string> dirs = [];
        Cgroups cgroups;
        if (IsV2)
        {
            var parent = Path.Join(Root, own.GetValueOrDefault("", "/"));
            var enabled = File.ReadAllText(Path.Combine(parent, "cgroup.subtree_control"));
            foreach (var controller in new[] { "memory", "pids", "cpu" })
            {
                if (!enabled.Split(' ', StringSplitOptions.TrimEntries).Contains(controller))
                {
                    Write(Path.Combine(parent, "cgroup.subtree_control"), "+" + controller);
                }
            }
            var dir = Path.Combine(parent, name);
            Directory.CreateDirectory(dir);
            foreach (var c in new[] { "memory", "pids", "cpu" })
            {
                dirs[c] = dir;
            }
            cgroups = new Cgroups(true, dirs, limits);
            Write(Path.Combine(dir, "memory.max"), Num(limits.MemoryBytes));
            if (File.Exists(Path.Combine(dir, "memory.swap.max")))
            {
                Write(Path.Combine(dir, "memory.swap.max"), "0");
            }
            Write(Path.Combine(dir, "pids.max"), Num(limits.Pids));
            Write(Path.Combine(dir, "cpu.max"), $"{Num(Quota(limits))} 100000");
            return cgroups;
        }
        foreach (var controller in new[] { "memory", "pids", "cpu", "freezer" })
        {
            var mount = V1Mount(controller) ?? throw new InvalidOperationException($"no cgroup v1 '{controller}' hierarchy is mounted under {Root}");
            var dir = Path.Combine(mount, own.GetValueOrDefault(controller, "/").TrimStart('/'), name);
            Directory.CreateDirectory(dir);
            dirs[controller] = dir;
        }
        cgroups = new Cgroups(false, dirs, limits);
        try
        {
            var memory = dirs["memory"];
            Write(Path.Combine(memory, "memory.limit_in_bytes"), Num(limits.MemoryBytes));
            if (File.Exists(Path.Combine(memory, "memory.memsw.limit_in_bytes")))
            {
                Write(Path.Combine(memory, "memory.memsw.limit_in_bytes"), Num(limits.MemoryBytes));
            }
            Write(Path.Combine(dirs["pids"], "pids.max"), Num(limits.Pids));
            Write(Path.Combine(dirs["cpu"], "cpu.cfs_period_us"), "100000");
            Write(Path.Combine(dirs["cpu"], "cpu.cfs_quota_us"), Num(Quota(limits)));
        }
        catch
        {
            cgroups.Remove();
            throw;
        }
        return cgroups;
    }

    /// <summary>
    /// The limit that stopped the build, if one did: an OOM kill in the memory cgroup, or a fork refused at the
    /// pids limit. Null when neither happened.
    /// </summary>
    public string? LimitReached()
    {
        if (OomKills() > 0)
        {
            return $"memory limit of {SandboxLimits.Bytes(_limits.MemoryBytes)} reached";
        }
        if (PidsRefused() > 0)
        {
            return $"process limit of {_limits.Pids} reached";
        }
        return null;
    }

    /// <summary>Forks refused at pids.max so far.</summary>
    public long PidsRefused() => Counter(Path.Combine(_dirs["pids"], "pids.events"), "max");

    private long OomKills() => _v2
        ? Counter(Path.Combine(_dirs["memory"], "memory.events"), "oom_kill")
        : Counter(Path.Combine(_dirs["memory"], "memory.oom_control"), "oom_kill");

    /// <summary>How long <see cref="KillAll"/> tries before it reports survivors.</summary>
    public static readonly TimeSpan KillBound = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Kills every process in the build's cgroups and waits (up to <see cref="KillBound"/>) until none is left;
    /// false when some survived. v2 with cgroup.kill: the kernel kills the whole cgroup at once, forks included.
    /// Otherwise the cgroup is frozen first (no fork can outrun the kill, no pid can exit and be reused while it
    /// is listed), every listed pid gets SIGKILL (delivered when it thaws), then it is thawed and checked.
    /// </summary>
    public bool KillAll()
    {
        var deadline = DateTime.UtcNow + KillBound;
        while (true)
        {
            if (Members().Count == 0)
            {
                return true;
            }
            var kill = Path.Combine(_dirs["pids"], "cgroup.kill");
            if (_v2 && File.Exists(kill))
            {
                TryWrite(kill, "1");
            }
            else
            {
                Freeze(true);
                foreach (var pid in Members())
                {
                    Signal(pid);
                }
                Freeze(false);
            }
            for (var i = 0; i < 25 && Members().Count > 0; i++)
            {
                Thread.Sleep(20);
            }
            if (Members().Count == 0)
            {
                return true;
            }
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
        }
    }

    /// <summary>Freezes (and waits, bounded, until the kernel says frozen) or thaws the build's cgroup.</summary>
    private void Freeze(bool frozen)
    {
        var (file, value, done) = _v2
            ? (Path.Combine(_dirs["pids"], "cgroup.freeze"), frozen ? "1" : "0", (Func<bool>)(() => Counter(Path.Combine(_dirs["pids"], "cgroup.events"), "frozen") == 1))
            : (Path.Combine(_dirs["freezer"], "freezer.state"), frozen ? "FROZEN" : "THAWED", () => ReadState(Path.Combine(_dirs["freezer"], "freezer.state")) == "FROZEN");
        TryWrite(file, value);
        // A task in an uninterruptible sleep delays freezing; kill what is listed after a second regardless.
        for (var i = 0; frozen && i < 50 && !done(); i++)
        {
            Thread.Sleep(20);
        }
    }

    private static string ReadState(string file)
    {
        try
        {
            return File.ReadAllText(file).Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>SIGKILL to one pid; a pid that is already gone is fine.</summary>
    private static void Signal(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    /// <summary>Every pid in any of the build's cgroups.</summary>
    public HashSet<int> Members()
    {
        var pids = new HashSet<int>();
        foreach (var dir in _dirs.Values.Distinct())
        {
            try
            {
                foreach (var line in File.ReadAllLines(Path.Combine(dir, "cgroup.procs")))
                {
                    if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                    {
                        pids.Add(pid);
                    }
                }
            }
            catch (IOException)
            {
            }
        }
        return pids;
    }

    /// <summary>Removes the (empty) children; a few retries while exiting tasks are released.</summary>
    public void Remove()
    {
        foreach (var dir in _dirs.Values.Distinct())
        {
            for (var attempt = 0; attempt < 50 && Directory.Exists(dir); attempt++)
            {
                try
                {
                    Directory.Delete(dir);
                }
                catch (IOException)
                {
                    Thread.Sleep(20);
                }
            }
        }
    }

    private static long Quota(SandboxLimits limits) => Math.Max(1000, (long)(limits.CpuCores * 100000));

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static long Counter(string file, string key)
    {
        try
        {
            foreach (var line in File.ReadAllLines(file))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    return n;
                }
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }

    private static void Write(string file, string value)
    {
        try
        {
            File.WriteAllText(file, value);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot write '{value}' to {file}: {ex.Message}", ex);
        }
    }

    private static void TryWrite(string file, string value)
    {
        try
        {
            File.WriteAllText(file, value);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>This process's cgroup path per v1 controller ("" for the v2 hierarchy), from /proc/self/cgroup.</summary>
    private static Dictionary<string, string> OwnPaths()
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines("/proc/self/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }
            foreach (var controller in parts[1].Split(','))
            {
                paths[controller] = parts[2];
            }
        }
        return paths;
    }

    /// <summary>Where the v1 hierarchy holding the controller is mounted (e.g. /sys/fs/cgroup/cpu,cpuacct).</summary>
    private static string? V1Mount(string controller)
    {
        foreach (var line in File.ReadAllLines("/proc/self/mountinfo"))
        {
            var dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0)
            {
                continue;
            }
            var tail = line[(dash + 3)..].Split(' ');
            if (tail.Length < 3 || tail[0] != "cgroup" || !tail[2].Split(',').Contains(controller))
            {
                continue;
            }
            var fields = line[..dash].Split(' ');
            // Only a hierarchy mounted at its root maps /proc/self/cgroup paths directly onto directories.
            if (fields.Length > 4 && fields[3] == "/")
            {
                return fields[4];
            }
        }
        return null;
    }
}
