using System.Text.Json;
using LayerLens.Analyzer.Optimisation.Measurement;
using LayerLens.Analyzer.Optimisation.Reports;
using Xunit.Abstractions;
using LayerLens.TestInfrastructure;

namespace LayerLens.Analyzer.Tests.Optimisation;

/// <summary>
/// Real buildah builds of the fixture projects, one run each: the recommendation must cut the rebuild after a
/// source edit at least in half and build an equivalent image. Only the scenarios a test asserts are rebuilt,
/// and each fixture is measured once for all the tests that look at it (see <see cref="BaseStore.MeasureOnce"/>).
/// The real-build classes share one collection: two builds at once on two cores slow the short cached
/// rebuilds more than the sleeping installs and skew the ratios.
/// </summary>
[CollectionDefinition(Name)]
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class RealBuilds : ICollectionFixture<BaseStore>
{
    public const string Name = "real buildah builds";
}

[Collection(RealBuilds.Name)]
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public abstract class MeasuredRebuildTests(BaseStore baseStore, ITestOutputHelper output)
{
    internal static MeasureOptions OneRun(BaseStore seed) => new() { Runs = 1, BuildTimeout = TimeSpan.FromMinutes(3), SeedStore = seed.Root };

    internal static readonly HashSet<string> SourceEditOnly = [ScenarioEdits.SourceEdit];

    protected BaseStore Store => baseStore;

    protected async Task<MeasuredFixture> A_badly_ordered_fixture_rebuilds_at_least_twice_as_fast_after_a_source_edit_and_stays_equivalent(
        string fixture, Action<TempDir> make, string dockerfile, Func<MeasureOptions, MeasureOptions> options)
    {
        var (result, measured) = await baseStore.MeasureOnce(fixture, make, dockerfile, options);
        Assert.True(result.HasRewrites, "expected a rewrite for " + fixture);
        Assert.Equal(fixture != "plain", ScenarioEdits.PickManifest(result) is not null);

        Assert.Empty(measured.Failures);
        Assert.True(measured.Equivalent, string.Join("\n", measured.Differences));
        var source = Assert.Single(measured.Scenarios, s => s.Name == "source-edit");
        output.WriteLine($"{fixture}: " + string.Join("; ", measured.Scenarios.Select(s => $"{s.Name} {s.OriginalSeconds:0.00} s -> {s.RecommendedSeconds:0.00} s")));
        foreach (var s in measured.Scenarios)
        {
            output.WriteLine($"  {s.Name} original: " + string.Join(" | ", s.OriginalSteps.Select(x => $"{x.Line} {x.Instruction} {x.Seconds:0.00}{(x.Cached ? " cached" : "")}")));
            output.WriteLine($"  {s.Name} recommended: " + string.Join(" | ", s.RecommendedSteps.Select(x => $"{x.Line} {x.Instruction} {x.Seconds:0.00}{(x.Cached ? " cached" : "")}")));
        }
        Assert.True(source.RecommendedSeconds <= 0.5 * source.OriginalSeconds,
            $"{fixture}: source edit rebuild {source.OriginalSeconds:0.00} s -> {source.RecommendedSeconds:0.00} s is not a 50% cut");
        Assert.True(source.RecommendedCachedSteps > source.OriginalCachedSteps);
        return new MeasuredFixture(result, measured);
    }
}

/// <summary>Node is measured in two scenarios (source edit and no change); manifest-edit runs the same code with another file and costs two more installs.</summary>
[Collection(RealBuilds.Name)]
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class NodeRebuildTests(BaseStore baseStore, ITestOutputHelper output) : MeasuredRebuildTests(baseStore, output)
{
    private static readonly HashSet<string> Scenarios = [ScenarioEdits.SourceEdit, ScenarioEdits.NoChange];

    private Task<MeasuredFixture> Node() =>
        A_badly_ordered_fixture_rebuilds_at_least_twice_as_fast_after_a_source_edit_and_stays_equivalent("node", Fixtures.Node, Fixtures.NodeBad, o => o with { SeedStore = Store.Root, Scenarios = Scenarios });

    private static int LineOf(string dockerfile, string instruction) => dockerfile.Split('\n').ToList().IndexOf(instruction) + 1;

    [Fact]
    public async Task Node_fixture_measured_after_a_source_edit_and_without_change()
    {
        var (_, measured) = await Node();
        Assert.Equal(["source-edit", "no-change"], measured.Scenarios.Select(s => s.Name));
        var same = measured.Scenarios.Single(s => s.Name == "no-change");
        // Without a change every step after FROM is a cache hit in both.
        Assert.Equal(same.OriginalSteps.Count - 1, same.OriginalCachedSteps);
        Assert.Equal(same.RecommendedSteps.Count - 1, same.RecommendedCachedSteps);
    }

    [Fact]
    public async Task Per_step_seconds_show_the_sleeping_install_re_run_in_the_original_and_cached_in_the_recommendation()
    {
        var (result, measured) = await Node();
        var source = measured.Scenarios.Single(s => s.Name == "source-edit");

        // The original: every instruction once, with its own line; the install (which sleeps) re-runs, the rest is short.
        Assert.Equal(Fixtures.NodeBad.Split('\n').Count(l => l.Length > 0 && !l.StartsWith('#')), source.OriginalSteps.Count);
        var install = Assert.Single(source.OriginalSteps, s => s.Instruction == "RUN npm ci");
        Assert.Equal(LineOf(Fixtures.NodeBad, "RUN npm ci"), install.Line);
        Assert.False(install.Cached);
        Assert.True(install.Seconds >= Fixtures.InstallSleepSeconds, $"install took {install.Seconds:0.00} s");
        Assert.All(source.OriginalSteps.Where(s => s != install), s => Assert.True(s.Seconds < Fixtures.InstallSleepSeconds / 2.0, $"{s.Instruction}: {s.Seconds:0.00} s"));
        Assert.Equal(LineOf(Fixtures.NodeBad, "COPY . ."), Assert.Single(source.OriginalSteps, s => s.Instruction == "COPY . .").Line);
        Assert.True(source.OriginalSteps.Sum(s => s.Seconds) <= source.OriginalSeconds);

        // The recommendation: lines of the recommended text; the install is a short cache hit.
        var recommendedInstall = Assert.Single(source.RecommendedSteps, s => s.Instruction == "RUN npm ci");
        Assert.Equal(LineOf(result.RecommendedDockerfile, "RUN npm ci"), recommendedInstall.Line);
        Assert.True(recommendedInstall.Cached);
        Assert.True(recommendedInstall.Seconds < Fixtures.InstallSleepSeconds / 2.0);
        Assert.All(source.RecommendedSteps, s => Assert.True(s.Seconds < Fixtures.InstallSleepSeconds / 2.0, $"{s.Instruction}: {s.Seconds:0.00} s"));

        // The same numbers in the JSON report, in the shape the web's chart reads.
        using var json = JsonDocument.Parse(OptimizeReport.Json(result, measured));
        var scenario = json.RootElement.GetProperty("measured").GetProperty("scenarios").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "source-edit");
        var step = scenario.GetProperty("originalSteps").EnumerateArray().Single(s => s.GetProperty("instruction").GetString() == "RUN npm ci");
        Assert.Equal(install.Line, step.GetProperty("line").GetInt32());
        Assert.Equal(Math.Round(install.Seconds, 3), step.GetProperty("seconds").GetDouble());
        Assert.False(step.GetProperty("cached").GetBoolean());
        Assert.True(scenario.GetProperty("recommendedSteps").EnumerateArray().Single(s => s.GetProperty("instruction").GetString() == "RUN npm ci").GetProperty("cached").GetBoolean());
    }
}

[Collection(RealBuilds.Name)]
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class PythonRebuildTests(BaseStore baseStore, ITestOutputHelper output) : MeasuredRebuildTests(baseStore, output)
{
    [Fact]
    public Task Python_fixture() =>
        A_badly_ordered_fixture_rebuilds_at_least_twice_as_fast_after_a_source_edit_and_stays_equivalent("python", Fixtures.Python, Fixtures.PythonBad, o => o with { SeedStore = Store.Root, Scenarios = SourceEditOnly });
}

[Collection(RealBuilds.Name)]
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class GoRebuildTests(BaseStore baseStore, ITestOutputHelper output) : MeasuredRebuildTests(baseStore, output)
{
    [Fact]
    public Task Go_fixture() =>
        A_badly_ordered_fixture_rebuilds_at_least_twice_as_fast_after_a_source_edit_and_stays_equivalent("go", Fixtures.Go, Fixtures.GoBad, o => o with { SeedStore = Store.Root, Scenarios = SourceEditOnly });
}

/// <summary>
/// The plain project builds FROM a named base image that only a local store holds (no seed store): measurement
/// copies it into every experiment without network.
/// </summary>
[Collection(RealBuilds.Name)]
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class PlainRebuildTests(BaseStore baseStore, ITestOutputHelper output) : MeasuredRebuildTests(baseStore, output)
{
    [Fact]
    public Task Plain_fixture_on_a_named_base_image_from_a_local_store() =>
        A_badly_ordered_fixture_rebuilds_at_least_twice_as_fast_after_a_source_edit_and_stays_equivalent("plain", Fixtures.Plain, Fixtures.PlainOnNamedBase,
            o => o with { BaseStore = Store.StoreSpec, Scenarios = SourceEditOnly });

    [Fact]
    public async Task A_base_image_given_as_an_oci_layout_is_seeded_from_it()
    {
        using var dir = new TempDir();
        Fixtures.Plain(dir);
        var oci = dir.File("base-oci");
        await Store.ExportNamedBaseAsync(oci);
        using var empty = new TempDir();
        var result = Fixtures.Optimize(dir, "FROM registry.example.com/team/base:1\nWORKDIR /srv\nCOPY site ./site\nRUN mkdir -p /opt/toolchain && sleep 1\nCMD [\"cat\", \"/" + BaseStore.NamedBaseFile + "\"]\n");
        Assert.True(result.HasRewrites);

        // The store holds nothing: only the OCI layout given for the name can provide the base.
        var measured = await RebuildMeasurement.MeasureAsync(result, new MeasureOptions
        {
            Runs = 1,
            Scenarios = new HashSet<string>(),
            BaseStore = $"vfs@{empty.File("root")}+{empty.File("run")}",
            BaseImages = new Dictionary<string, string> { ["registry.example.com/team/base:1"] = "oci:" + oci + ":image" },
        }, CancellationToken.None);

        Assert.Empty(measured.Failures);
        Assert.True(measured.Equivalent, string.Join("\n", measured.Differences));
    }

    [Fact]
    public async Task A_base_image_that_no_local_store_holds_fails_naming_it_and_its_line()
    {
        using var dir = new TempDir();
        Fixtures.Plain(dir);
        var result = Fixtures.Optimize(dir, "# a base nobody built\nFROM layerlens-no-such-base:1\n" + "WORKDIR /srv\nCOPY site ./site\nRUN mkdir -p /opt/toolchain && sleep 1\n");
        Assert.True(result.HasRewrites);

        var measured = await RebuildMeasurement.MeasureAsync(result, new MeasureOptions { Runs = 1, BaseStore = Store.StoreSpec }, CancellationToken.None);

        var failure = Assert.Single(measured.Failures);
        Assert.Contains("base image layerlens-no-such-base:1 (line 2) is not in the store " + Store.StoreSpec, failure, StringComparison.Ordinal);
        Assert.Contains("never pulls", failure, StringComparison.Ordinal);
        Assert.Empty(measured.Scenarios);
        Assert.True(OptimizeReport.Withheld(measured));
    }
}
