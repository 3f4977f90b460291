using System.Net;
using System.Net.Sockets;
using Xunit.Abstractions;

using LayerLens.Analyzer.Tests.Optimisation;
using LayerLens.TestInfrastructure;

namespace LayerLens.Analyzer.Tests.Optimisation.Measurement.Sandbox;

/// <summary>
/// Each test is an attack a Dockerfile's RUN step makes from inside a real sandboxed build; the RUN step prints
/// what it reached on a RESULT line, and the test checks on the host as well. RUN steps run under buildah's chroot,
/// so every attack also goes through /proc/PID/root and /proc/PID/cwd of the builder's own processes, which
/// lead out of the chroot to whatever root the builder sees: the host's without the sandbox.
/// </summary>
[Collection(nameof(SandboxBuilds))]
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class SandboxIsolationTests(ITestOutputHelper output)
{
    private async Task<string> RunAsync(TempDir work, string script)
    {
        var outcome = await SandboxHarness.BuildAsync(work, "RUN " + script.ReplaceLineEndings(" ") + "\n");
        output.WriteLine(outcome.LogTail);
        Assert.True(outcome.Success, outcome.LogTail);
        return string.Join('\n', outcome.LogTail.Split('\n').Where(l => l.StartsWith("RESULT", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_RUN_step_is_not_host_uid_0_in_the_hosts_process_table()
    {
        using var work = new TempDir();
        var marker = "layerlens-uid-probe-" + Guid.NewGuid().ToString("N");
        var build = SandboxHarness.BuildAsync(work, $"RUN sh -c 'sleep 4' {marker}\n");
        var uids = new List<int>();
        for (var i = 0; i < 200 && uids.Count == 0 && !build.IsCompleted; i++)
        {
            foreach (var pid in SandboxHarness.HostProcesses(marker))
            {
                try
                {
                    uids.Add(SandboxHarness.HostUid(pid));
                }
                catch (IOException)
                {
                }
            }
            await Task.Delay(50);
        }
        var outcome = await build;
        Assert.True(outcome.Success, outcome.LogTail);
        Assert.NotEmpty(uids);
        Assert.All(uids, uid => Assert.NotEqual(0, uid));
        Assert.All(uids, uid => Assert.Equal(SandboxHarness.Sandbox().Uid, uid));
    }

    [Fact]
    public async Task A_RUN_step_cannot_read_the_data_directory_or_another_builds_files()
    {
        using var work = new TempDir();
        // A world-readable secret in a fake data directory beside the experiment, and another build's directory:
        // only the mount namespace keeps them out of reach (file permissions would not).
        var secret = "secret-" + Guid.NewGuid().ToString("N");
        var data = work.File("data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "layerlens.db"), secret);
        using var other = new TempDir();
        File.WriteAllText(other.File("context-file"), secret);
        var paths = $"{data}/layerlens.db {other.File("context-file")}";
        var result = await RunAsync(work,
            $"for f in {paths}; do cat $f; for p in /proc/[0-9]*; do cat $p/root$f $p/cwd/../../../../../../../..$f; done; done 2>/dev/null | grep -c secret- | sed 's/^/RESULT read=/'");
        Assert.Equal("RESULT read=0", result);
    }

    [Fact]
    public async Task A_RUN_step_sees_only_its_own_namespaces_processes()
    {
        using var work = new TempDir();
        var result = await RunAsync(work,
            "echo RESULT count=$(ls -d /proc/[0-9]* | wc -l) leaked=$(cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' '\\n' | grep -o -e test[h]ost -e dot[n]et -e postgre[s] | sort -u | tr '\\n' ,)");
        var count = int.Parse(result.Split(' ')[1]["count=".Length..]);
        Assert.InRange(count, 1, 15);
        Assert.EndsWith("leaked=", result);
        Assert.True(Directory.EnumerateDirectories("/proc").Count(d => int.TryParse(Path.GetFileName(d), out _)) > count, "the host has more processes than the sandbox shows");
    }

    [Fact]
    public async Task A_RUN_step_cannot_write_into_a_host_directory_through_proc_root_or_cwd()
    {
        using var work = new TempDir();
        // World-writable, so only the sandbox's mount view protects it.
        var target = work.File("host-writable");
        Directory.CreateDirectory(target);
        Fixtures.SetMode(target, "1777");
        await RunAsync(work,
            $"for p in /proc/[0-9]* /proc/1 /proc/self; do echo x > $p/root{target}/via-root-$(basename $p); echo x > $p/cwd/../../../../../../../..{target}/via-cwd-$(basename $p); done 2>/dev/null; echo RESULT done");
        Assert.Empty(Directory.EnumerateFileSystemEntries(target));
    }

    [Fact]
    public async Task A_RUN_step_cannot_open_host_block_devices()
    {
        using var work = new TempDir();
        var disk = Directory.EnumerateDirectories("/sys/block").Select(Path.GetFileName).First(n => n!.StartsWith("vd", StringComparison.Ordinal) || n.StartsWith("sd", StringComparison.Ordinal) || n.StartsWith("nvme", StringComparison.Ordinal))!;
        var numbers = File.ReadAllText($"/sys/block/{disk}/dev").Trim().Split(':');
        var result = await RunAsync(work,
            $"mknod /tmp/disk b {numbers[0]} {numbers[1]} 2>/dev/null; " +
            $"n=0; for f in /tmp/disk /dev/{disk} /proc/[0-9]*/root/dev/{disk}; do c=$(head -c 512 $f 2>/dev/null | wc -c); n=$((n + c)); done; echo RESULT bytes=$n");
        Assert.Equal("RESULT bytes=0", result);
    }

    [Fact]
    public async Task A_RUN_step_has_no_network()
    {
        using var work = new TempDir();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var result = await RunAsync(work, $"if echo hello | nc -w 2 127.0.0.1 {port}; then echo RESULT connected; else echo RESULT refused; fi");
        Assert.Equal("RESULT refused", result);
        Assert.False(listener.Pending(), "the listener on the host's loopback got a connection");
    }

    [Fact]
    public async Task The_build_users_processes_do_not_carry_the_services_environment()
    {
        using var work = new TempDir();
        var secret = Guid.NewGuid().ToString("N");
        var uid = SandboxHarness.Sandbox().Uid;
        Environment.SetEnvironmentVariable("LAYERLENS_TEST_DATABASE_PASSWORD", secret);
        try
        {
            // From inside: every environ the RUN step can open. From the host: every process of the build user
            // (which anything running as that uid could read) while the build runs.
            var build = SandboxHarness.BuildAsync(work, "RUN for p in /proc/[0-9]*; do tr '\\0' '\\n' < $p/environ; done 2>/dev/null | grep -c LAYERLENS_TEST_ | sed 's/^/RESULT found=/'; sleep 3\n");
            var environments = new List<string>();
            while (!build.IsCompleted)
            {
                foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
                {
                    try
                    {
                        if (SandboxHarness.HostUid(int.Parse(Path.GetFileName(dir))) == uid)
                        {
                            environments.Add(File.ReadAllText(Path.Combine(dir, "environ")));
                        }
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
                    {
                    }
                }
                await Task.Delay(100);
            }
            var outcome = await build;
            output.WriteLine(outcome.LogTail);
            Assert.True(outcome.Success, outcome.LogTail);
            Assert.Contains("RESULT found=0", outcome.LogTail, StringComparison.Ordinal);
            Assert.NotEmpty(environments);
            Assert.All(environments, e => Assert.DoesNotContain(secret, e, StringComparison.Ordinal));
            Assert.All(environments, e => Assert.DoesNotContain("LAYERLENS_TEST_", e, StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable("LAYERLENS_TEST_DATABASE_PASSWORD", null);
        }
    }
}

/// <summary>Sandboxed builds one at a time: the limit tests measure what one build uses on two cores.</summary>
[CollectionDefinition(nameof(SandboxBuilds))]
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class SandboxBuilds;
