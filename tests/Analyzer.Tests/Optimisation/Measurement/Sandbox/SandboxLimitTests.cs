using System.Diagnostics;
using LayerLens.Analyzer.Optimisation.Measurement;
using LayerLens.Analyzer.Optimisation.Measurement.Sandbox;
using Xunit.Abstractions;
using LayerLens.TestInfrastructure;

namespace LayerLens.Analyzer.Tests.Optimisation.Measurement.Sandbox;

/// <summary>
/// Builds that try to exhaust the host are stopped at the sandbox's limits (small ones here, so each test takes
/// seconds), the outcome names the limit, nothing of the build survives it, and the test process is unaffected.
/// </summary>
[Collection(nameof(SandboxBuilds))]
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class SandboxLimitTests(ITestOutputHelper output)
{
    private async Task<BuildOutcome> StoppedAsync(string steps, TimeSpan? timeout = null, SandboxLimits? limits = null)
    {
        using var work = new TempDir();
        var marker = "layerlens-limit-" + Guid.NewGuid().ToString("N");
        var clock = Stopwatch.StartNew();
        var outcome = await SandboxHarness.BuildAsync(work, $"RUN sh -c '{steps}' {marker}\n", limits, timeout ?? TimeSpan.FromSeconds(60));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s, stopped by: {outcome.StoppedBy}\n{outcome.LogTail}");
        Assert.False(outcome.Success);
        Assert.Empty(SandboxHarness.HostProcesses(marker));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), "the build ran on past its limits");
        // The host is unaffected: this process still forks, allocates and writes.
        using var echo = Process.Start(new ProcessStartInfo("true"))!;
        echo.WaitForExit();
        Assert.Equal(0, echo.ExitCode);
        GC.KeepAlive(new byte[64 * 1024 * 1024]);
        return outcome;
    }

    [Fact]
    public async Task A_fork_bomb_is_stopped_at_the_process_limit()
    {
        var outcome = await StoppedAsync("b() { b | b & }; b; sleep 60");
        Assert.Equal($"process limit of {SandboxHarness.Small.Pids} reached", outcome.StoppedBy);
    }

    [Fact]
    public async Task A_memory_hog_is_stopped_at_the_memory_limit()
    {
        var outcome = await StoppedAsync("dd if=/dev/zero of=/dev/null bs=1000M count=1");
        Assert.Equal("memory limit of 384 MiB reached", outcome.StoppedBy);
    }

    [Fact]
    public async Task A_disk_filler_is_stopped_at_the_disk_limit()
    {
        var outcome = await StoppedAsync("dd if=/dev/zero of=/filler bs=1M count=2000");
        Assert.Equal("disk limit of 256 MiB reached", outcome.StoppedBy);
    }

    [Fact]
    public async Task A_sleeper_is_stopped_at_the_time_limit()
    {
        var outcome = await StoppedAsync("sleep 600", TimeSpan.FromSeconds(8));
        Assert.Equal("time limit of 8 s reached", outcome.StoppedBy);
    }
}
