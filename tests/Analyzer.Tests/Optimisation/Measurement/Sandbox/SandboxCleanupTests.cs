using LayerLens.TestInfrastructure;
using System.Diagnostics;
using LayerLens.Analyzer.Optimisation.Measurement.Sandbox;
using Xunit.Abstractions;

namespace LayerLens.Analyzer.Tests.Optimisation.Measurement.Sandbox;

/// <summary>
/// Nothing of a build outlives it: daemonised processes (double fork, new session) are killed and the build's
/// cgroups removed; a process that cannot be killed makes the build fail with a clear error and root leaves the
/// build directory alone.
/// </summary>
[Collection(nameof(SandboxBuilds))]
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class SandboxCleanupTests(ITestOutputHelper output)
{
    [Fact]
    public void A_daemonised_process_in_a_builds_cgroups_is_killed_and_the_cgroups_removed()
    {
        var cgroups = Cgroups.Create(SandboxHarness.Small, "layerlens-test-" + Guid.NewGuid().ToString("N")[..16]);
        var marker = "layerlens-daemon-" + Guid.NewGuid().ToString("N");
        try
        {
            // Joins the cgroups, double-forks a session leader that sleeps, and exits: the daemon is no child of anything here.
            using (var launcher = Process.Start(new ProcessStartInfo("/bin/sh",
                ["-c", $"for f in \"$@\"; do echo $$ > \"$f\"; done; (setsid sh -c 'sleep 600; : {marker}' </dev/null >/dev/null 2>&1 &); exit 0", "launcher", .. cgroups.ProcsFiles]))!)
            {
                launcher.WaitForExit();
                Assert.Equal(0, launcher.ExitCode);
            }
            Thread.Sleep(200);
            Assert.NotEmpty(SandboxHarness.HostProcesses(marker));
            Assert.NotEmpty(cgroups.Members());

            Assert.True(cgroups.KillAll());

            Assert.Empty(cgroups.Members());
            Assert.Empty(SandboxHarness.HostProcesses(marker));
            cgroups.Remove();
            Assert.All(cgroups.Directories, d => Assert.False(Directory.Exists(d), d + " is left behind"));
        }
        finally
        {
            cgroups.KillAll();
            cgroups.Remove();
        }
    }

    [Fact]
    public async Task A_RUN_step_that_leaves_a_daemon_behind_ends_with_it_killed_and_its_cgroup_removed()
    {
        using var work = new TempDir();
        var marker = "layerlens-daemon-" + Guid.NewGuid().ToString("N");
        var build = SandboxHarness.BuildAsync(work, $"RUN (setsid sh -c 'sleep 600; : {marker}' </dev/null >/dev/null 2>&1 &); sleep 2\n");
        var cgroups = new HashSet<string>();
        while (!build.IsCompleted)
        {
            foreach (var pid in SandboxHarness.HostProcesses(marker))
            {
                cgroups.UnionWith(CgroupDirectories(pid));
            }
            await Task.Delay(50);
        }
        var outcome = await build;
        output.WriteLine(outcome.LogTail);
        Assert.True(outcome.Success, outcome.LogTail);
        Assert.NotEmpty(cgroups);
        Assert.Empty(SandboxHarness.HostProcesses(marker));
        Assert.All(cgroups, d => Assert.False(Directory.Exists(d), d + " is left behind"));
    }

    [Fact]
    public async Task A_build_whose_processes_survive_the_kill_fails_clearly_and_its_directory_is_left_alone()
    {
        using var work = new TempDir();
        var marker = "layerlens-survivor-" + Guid.NewGuid().ToString("N");
        // A process that cannot die (here: frozen in a freezer cgroup of the test's, so SIGKILL stays pending, as
        // for a task stuck in an uninterruptible sleep) joins the build's pids cgroup while the build runs.
        var freezer = Path.Combine("/sys/fs/cgroup/freezer", OwnPath("freezer").TrimStart('/'), "layerlens-test-" + Guid.NewGuid().ToString("N")[..16]);
        Directory.CreateDirectory(freezer);
        using var intruder = Process.Start(new ProcessStartInfo("sleep", ["120"]))!;
        var buildCgroups = new HashSet<string>();
        try
        {
            var build = SandboxHarness.BuildAsync(work, $"RUN sh -c 'sleep 3' {marker}\n", timeout: TimeSpan.FromSeconds(60));
            while (!build.IsCompleted && buildCgroups.Count == 0)
            {
                foreach (var pid in SandboxHarness.HostProcesses(marker))
                {
                    buildCgroups.UnionWith(CgroupDirectories(pid));
                }
                await Task.Delay(50);
            }
            var pids = Assert.Single(buildCgroups, d => d.StartsWith("/sys/fs/cgroup/pids/", StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(freezer, "cgroup.procs"), intruder.Id.ToString());
            File.WriteAllText(Path.Combine(freezer, "freezer.state"), "FROZEN");
            File.WriteAllText(Path.Combine(pids, "cgroup.procs"), intruder.Id.ToString());

            var error = await Assert.ThrowsAsync<BuildSurvivedException>(() => build);
            output.WriteLine(error.Message);
            Assert.Contains("survived SIGKILL", error.Message, StringComparison.Ordinal);
            Assert.Contains(intruder.Id.ToString(), error.Message, StringComparison.Ordinal);
            // Root neither cleaned nor read the directory: it is as the build left it.
            Assert.True(File.Exists(Path.Combine(work.File("experiment"), "Dockerfile")), "the build directory was touched after the kill failed");
            Assert.Empty(SandboxHarness.HostProcesses(marker));
        }
        finally
        {
            // Thawed, the intruder dies of the SIGKILL the sandbox sent; then the test removes what is left.
            File.WriteAllText(Path.Combine(freezer, "freezer.state"), "THAWED");
            intruder.Kill();
            intruder.WaitForExit();
            foreach (var dir in buildCgroups.Append(freezer))
            {
                for (var i = 0; i < 50 && Directory.Exists(dir); i++)
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
    }

    /// <summary>The v1 cgroup directories (memory, pids, cpu, freezer) a host process is in, from /proc/PID/cgroup.</summary>
    private static List<string> CgroupDirectories(int pid)
    {
        try
        {
            return [.. File.ReadAllLines($"/proc/{pid}/cgroup").Select(l => l.Split(':', 3))
                .Where(p => p.Length == 3 && p[1] is ("memory" or "pids" or "freezer") && p[2].Contains("layerlens-build-", StringComparison.Ordinal))
                .Select(p => Path.Combine("/sys/fs/cgroup", p[1], p[2].TrimStart('/')))];
        }
        catch (IOException)
        {
            return [];
        }
    }

    private static string OwnPath(string controller) =>
        File.ReadAllLines("/proc/self/cgroup").Select(l => l.Split(':', 3)).First(p => p.Length == 3 && p[1].Split(',').Contains(controller))[2];
}
