using LayerLens.TestInfrastructure;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit.Abstractions;

using LayerLens.Analyzer.Tests.Optimisation;

namespace LayerLens.Analyzer.Tests.Optimisation.Measurement.Sandbox;

/// <summary>
/// Attacks by the build user's own processes (the script the sandbox runs, before or beside buildah's user
/// namespace) and by RUN steps: host setuid programs, host configuration in /etc, descriptors inherited from the
/// service, and signals to processes outside the sandbox.
/// </summary>
[Collection(nameof(SandboxBuilds))]
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class SandboxPrivilegeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_setuid_root_program_of_the_host_does_not_run_as_root_for_the_build_user()
    {
        using var work = new TempDir();
        // Setuid-root copies of id and cat in host /usr, reachable only by the build user's group while the test
        // runs: the same as the host's su, mount, passwd … but reporting what they got.
        var dir = "/usr/local/lib/layerlens-suid-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(dir);
        try
        {
            Run("chown", "root:" + SandboxHarness.Sandbox().Gid, dir);
            Run("chmod", "750", dir);
            foreach (var tool in new[] { "id", "cat" })
            {
                File.Copy("/usr/bin/" + tool, Path.Combine(dir, tool));
                Run("chown", "root:root", Path.Combine(dir, tool));
                Run("chmod", "4755", Path.Combine(dir, tool));
            }
            var experiment = work.File("experiment");
            Directory.CreateDirectory(experiment);
            var secret = "root-only-" + Guid.NewGuid().ToString("N");
            File.WriteAllText(Path.Combine(experiment, "root-only"), secret);
            Fixtures.SetMode(Path.Combine(experiment, "root-only"), "600");

            var run = await SandboxHarness.RunAsBuildUserAsync(work,
                $"echo \"RESULT id $({dir}/id)\"; echo \"RESULT cat $({dir}/cat /run/layerlens-build/root-only 2>&1)\"; " +
                "grep CapBnd /proc/self/status | sed 's/^/RESULT /'; " +
                "while read -r a b c d mnt opts rest; do case $mnt in /usr|/usr/bin/newuidmap) echo \"RESULT mount $mnt $opts\";; esac; done < /proc/self/mountinfo");
            var results = SandboxHarness.Results(run.Output);
            output.WriteLine(string.Join('\n', results) + "\n" + run.Output.Tail());

            var id = Assert.Single(results, r => r.StartsWith("RESULT id ", StringComparison.Ordinal));
            Assert.Contains($"uid={SandboxHarness.Sandbox().Uid}", id, StringComparison.Ordinal);
            Assert.DoesNotContain("euid=0", id, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, string.Join('\n', run.Output.Lines.Select(l => l.Line)), StringComparison.Ordinal);
            Assert.Contains(results, r => r.StartsWith("RESULT mount /usr ", StringComparison.Ordinal) && r.Contains("nosuid", StringComparison.Ordinal));
            // newuidmap keeps its privilege, but the bounding set limits it to CAP_DAC_OVERRIDE, CAP_SETGID, CAP_SETUID and CAP_SYS_ADMIN.
            Assert.Contains(results, r => r.StartsWith("RESULT mount /usr/bin/newuidmap ", StringComparison.Ordinal) && !r.Contains("nosuid", StringComparison.Ordinal));
            Assert.Contains("RESULT CapBnd:\t00000000002000c2", results);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Host_etc_files_outside_the_allow_list_cannot_be_read_by_the_build_user_or_a_RUN_step()
    {
        var name = "layerlens-marker-" + Guid.NewGuid().ToString("N");
        var marker = "/etc/" + name;
        File.WriteAllText(marker, "leaked-" + name);
        Fixtures.SetMode(marker, "644");
        try
        {
            using var direct = new TempDir();
            var run = await SandboxHarness.RunAsBuildUserAsync(direct, $"cat {marker} /proc/[0-9]*/root{marker} 2>/dev/null | grep -c leaked- | sed 's/^/RESULT read=/'; ls /etc | tr '\\n' ' ' | sed 's/^/RESULT etc /'");
            output.WriteLine(run.Output.Tail());
            Assert.Contains("RESULT read=0", SandboxHarness.Results(run.Output));
            Assert.Contains(SandboxHarness.Results(run.Output), r => r.StartsWith("RESULT etc ", StringComparison.Ordinal) && !r.Contains("shadow", StringComparison.Ordinal) && r.Contains("passwd", StringComparison.Ordinal));

            using var work = new TempDir();
            var outcome = await SandboxHarness.BuildAsync(work, $"RUN cat {marker} /proc/[0-9]*/root{marker} 2>/dev/null | grep -c leaked- | sed 's/^/RESULT read=/'\n");
            output.WriteLine(outcome.LogTail);
            Assert.True(outcome.Success, outcome.LogTail);
            Assert.Contains("RESULT read=0", outcome.LogTail, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Fact]
    public async Task A_descriptor_the_service_holds_without_close_on_exec_does_not_reach_the_build()
    {
        using var work = new TempDir();
        var secret = "descriptor-" + Guid.NewGuid().ToString("N");
        var file = work.File("root-only");
        File.WriteAllText(file, secret);
        Fixtures.SetMode(file, "600");
        // dup2 clears close-on-exec: every child this process starts inherits the descriptor unless the sandbox closes it.
        const int Leaked = 987;
        Assert.False(File.Exists($"/proc/self/fd/{Leaked}"), "descriptor 987 is already in use");
        using var stream = File.OpenRead(file);
        Assert.Equal(Leaked, Dup2((int)stream.SafeFileHandle.DangerousGetHandle(), Leaked));
        try
        {
            var run = await SandboxHarness.RunAsBuildUserAsync(work,
                $"bash -c 'cat <&{Leaked}' 2>/dev/null; sleep 5 & p=$!; ls /proc/$p/fd > $TMPDIR/fds; kill $p; echo \"RESULT fds $(tr '\\n' ' ' < $TMPDIR/fds)\"");
            output.WriteLine(run.Output.Tail());
            Assert.DoesNotContain(secret, string.Join('\n', run.Output.Lines.Select(l => l.Line)), StringComparison.Ordinal);
            // What a process the build user's shell starts inherits: the standard three only.
            Assert.Contains("RESULT fds 0 1 2", SandboxHarness.Results(run.Output));

            var outcome = await SandboxHarness.BuildAsync(work, $"RUN cat <&{Leaked} 2>/dev/null; ls /proc/self/fd | tr '\\n' ' ' | sed 's/^/RESULT run-step fds /'\n");
            output.WriteLine(outcome.LogTail);
            Assert.True(outcome.Success, outcome.LogTail);
            Assert.DoesNotContain(secret, outcome.LogTail, StringComparison.Ordinal);
            Assert.DoesNotContain($" {Leaked} ", outcome.LogTail.Split('\n').Single(l => l.StartsWith("RESULT run-step fds", StringComparison.Ordinal)) + " ", StringComparison.Ordinal);
        }
        finally
        {
            Assert.Equal(0, Close(Leaked));
        }
    }

    [Fact]
    public async Task The_build_cannot_signal_or_trace_a_host_process_of_its_own_uid()
    {
        using var work = new TempDir();
        var sandbox = SandboxHarness.Sandbox();
        // A host process running as the build user: permissions alone would let the build kill or trace it.
        using var victim = Process.Start(new ProcessStartInfo("setpriv", ["--reuid", sandbox.Uid.ToString(), "--regid", sandbox.Gid.ToString(), "--clear-groups", "sleep", "120"]))!;
        try
        {
            await Task.Delay(300);
            Assert.False(victim.HasExited);
            var run = await SandboxHarness.RunAsBuildUserAsync(work,
                $"kill -9 {victim.Id} 2>/dev/null && echo RESULT killed; strace -p {victim.Id} -e trace=none -o /dev/null & sleep 1; kill $! 2>/dev/null; " +
                $"[ -e /proc/{victim.Id}/environ ] && echo RESULT visible; echo RESULT done; kill -9 -1");
            output.WriteLine(run.Output.Tail());
            Assert.Equal(["RESULT done"], SandboxHarness.Results(run.Output));
            Assert.False(victim.HasExited, "the host process of the build user's uid was killed from inside the sandbox");
            Assert.Contains(File.ReadAllText($"/proc/{victim.Id}/status").Split('\n'), l => l.StartsWith("TracerPid:\t0", StringComparison.Ordinal));
        }
        finally
        {
            victim.Kill();
        }
    }

    private static void Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args))!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    [DllImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static extern int Dup2(int oldFd, int newFd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
