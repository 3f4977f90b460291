using LayerLens.Analyzer.Optimisation.Measurement;
using LayerLens.Analyzer.Tests.Optimisation;
using Xunit.Abstractions;
using LayerLens.TestInfrastructure;

namespace LayerLens.Analyzer.Tests.Optimisation.Measurement.Sandbox;

/// <summary>
/// A whole measurement in the build sandbox, as the service runs it: named base images seeded from local sources
/// into the rootless store, builds, the OCI push read back for the equivalence check; and the job's own time
/// limit named when it stops the measurement.
/// </summary>
[Collection(RealBuilds.Name)]
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class SandboxedMeasurementTests(BaseStore baseStore, ITestOutputHelper output)
{
    [Fact]
    public async Task A_sandboxed_measurement_seeds_a_named_base_builds_both_versions_and_compares_them()
    {
        using var dir = new TempDir();
        Fixtures.Plain(dir);
        var oci = dir.File("base-oci");
        await baseStore.ExportNamedBaseAsync(oci);
        var result = Fixtures.Optimize(dir, "FROM registry.example.com/team/base:1\nWORKDIR /srv\nCOPY site ./site\nRUN mkdir -p /opt/toolchain && sleep 1\nCMD [\"cat\", \"/" + BaseStore.NamedBaseFile + "\"]\n");
        Assert.True(result.HasRewrites);

        var measured = await RebuildMeasurement.MeasureAsync(result, new MeasureOptions
        {
            Runs = 1,
            Scenarios = new HashSet<string> { ScenarioEdits.SourceEdit },
            Sandbox = SandboxHarness.Sandbox(SandboxHarness.Small with { DiskBytes = 512L * 1024 * 1024 }),
            BaseImages = new Dictionary<string, string> { ["registry.example.com/team/base:1"] = "oci:" + oci + ":image" },
            Progress = output.WriteLine,
        }, CancellationToken.None);

        Assert.True(measured.Failures.Count == 0, string.Join("\n", measured.Failures));
        Assert.Null(measured.StoppedBy);
        Assert.True(measured.Equivalent, string.Join("\n", measured.Differences));
        Assert.Single(measured.Scenarios);
    }

    [Fact]
    public async Task A_measurement_past_its_job_time_limit_stops_and_says_so()
    {
        using var dir = new TempDir();
        Fixtures.Plain(dir);
        var result = Fixtures.Optimize(dir, Fixtures.Base + "WORKDIR /srv\nCOPY site ./site\nRUN mkdir -p /opt/toolchain && sleep 600\n");

        var measured = await RebuildMeasurement.MeasureAsync(result, new MeasureOptions
        {
            Runs = 1,
            Sandbox = SandboxHarness.Sandbox(),
            BuildTimeout = TimeSpan.FromMinutes(5),
            JobTimeout = TimeSpan.FromSeconds(8),
        }, CancellationToken.None);

        Assert.Equal("measurement stopped: job time limit of 8 s reached", measured.StoppedBy);
        Assert.Contains(measured.StoppedBy, measured.Failures);
        Assert.False(measured.Equivalent);
    }

    [Fact]
    public async Task A_build_stopped_by_a_limit_names_the_Dockerfile_and_the_limit()
    {
        using var dir = new TempDir();
        Fixtures.Plain(dir);
        var result = Fixtures.Optimize(dir, Fixtures.Base + "WORKDIR /srv\nCOPY site ./site\nRUN dd if=/dev/zero of=/dev/null bs=1000M count=1\n");

        var measured = await RebuildMeasurement.MeasureAsync(result, new MeasureOptions { Runs = 1, Sandbox = SandboxHarness.Sandbox() }, CancellationToken.None);

        Assert.Equal("build of the original Dockerfile stopped: memory limit of 384 MiB reached", measured.StoppedBy);
        Assert.StartsWith(measured.StoppedBy, Assert.Single(measured.Failures), StringComparison.Ordinal);
    }
}
