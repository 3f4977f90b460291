using LayerLens.Analyzer.Optimisation;
using LayerLens.Analyzer.Optimisation.Measurement;
using Xunit.Abstractions;

namespace LayerLens.Analyzer.Tests.Optimisation;

/// <summary>
/// Real buildah builds of one fixture project, one run to keep the suite short: the recommendation must cut
/// the rebuild after a source edit at least in half and build an equivalent image. Only the scenarios a test
/// asserts are rebuilt (node measures all three). The real-build classes share one collection: two builds at
/// once on two cores slow the short cached rebuilds more than the sleeping installs and skew the ratios.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RealBuilds : ICollectionFixture<BaseStore>
{
    public const string Name = "real buildah builds";
}

[Collection(RealBuilds.Name)]
public abstract class MeasuredRebuildTests(BaseStore baseStore, ITestOutputHelper output)
{
    internal static MeasureOptions OneRun(BaseStore seed) => new() { Runs = 1, BuildTimeout = TimeSpan.FromMinutes(3), SeedStore = seed.Root };

    protected async Task A_badly_ordered_fixture_rebuilds_at_least_twice_as_fast_after_a_source_edit_and_stays_equivalent(
        string fixture, Action<TempDir> make, string dockerfile, bool allScenarios = false)
    {
        using var dir = new TempDir();
        make(dir);
        var result = Fixtures.Optimize(dir, dockerfile);
        Assert.True(result.HasRewrites, "expected a rewrite for " + fixture);
        Assert.Equal(fixture != "plain", ScenarioEdits.PickManifest(result) is not null);

        var measured = await RebuildMeasurement.MeasureAsync(result,
            allScenarios ? OneRun(baseStore) : OneRun(baseStore) with { Scenarios = new HashSet<string> { ScenarioEdits.SourceEdit } }, CancellationToken.None);

        Assert.Empty(measured.Failures);
        Assert.True(measured.Equivalent, string.Join("\n", measured.Differences));
        var source = Assert.Single(measured.Scenarios, s => s.Name == "source-edit");
        output.WriteLine($"{fixture}: source-edit {source.OriginalSeconds:0.00} s -> {source.RecommendedSeconds:0.00} s; " +
            string.Join("; ", measured.Scenarios.Select(s => $"{s.Name} {s.OriginalSeconds:0.00} -> {s.RecommendedSeconds:0.00}")));
        foreach (var s in measured.Scenarios)
        {
            output.WriteLine($"  {s.Name} original: " + string.Join(" | ", s.OriginalSteps.Select(x => $"{x.Line} {x.Instruction} {x.Seconds:0.00}{(x.Cached ? " cached" : "")}")));
            output.WriteLine($"  {s.Name} recommended: " + string.Join(" | ", s.RecommendedSteps.Select(x => $"{x.Line} {x.Instruction} {x.Seconds:0.00}{(x.Cached ? " cached" : "")}")));
        }
        Assert.True(source.RecommendedSeconds <= 0.5 * source.OriginalSeconds,
            $"{fixture}: source edit rebuild {source.OriginalSeconds:0.00} s -> {source.RecommendedSeconds:0.00} s is not a 50% cut");
        Assert.True(source.RecommendedCachedSteps > source.OriginalCachedSteps);
        Assert.Equal(allScenarios, measured.Scenarios.Any(s => s.Name == "no-change"));
        Assert.Equal(allScenarios, measured.Scenarios.Any(s => s.Name == "manifest-edit"));
    }
}

[Collection(RealBuilds.Name)]
public sealed class NodeRebuildTests(BaseStore baseStore, ITestOutputHelper output) : MeasuredRebuildTests(baseStore, output)
{
    [Fact]
    public Task Node_fixture_measured_in_every_scenario() =>
        A_badly_ordered_fixture_rebuilds_at_least_twice_as_fast_after_a_source_edit_and_stays_equivalent("node", Fixtures.Node, Fixtures.NodeBad, allScenarios: true);
}

[Collection(RealBuilds.Name)]
public sealed class PythonRebuildTests(BaseStore baseStore, ITestOutputHelper output) : MeasuredRebuildTests(baseStore, output)
{
    [Fact]
    public Task Python_fixture() =>
        A_badly_ordered_fixture_rebuilds_at_least_twice_as_fast_after_a_source_edit_and_stays_equivalent("python", Fixtures.Python, Fixtures.PythonBad);
}

[Collection(RealBuilds.Name)]
public sealed class GoRebuildTests(BaseStore baseStore, ITestOutputHelper output) : MeasuredRebuildTests(baseStore, output)
{
    [Fact]
    public Task Go_fixture() =>
        A_badly_ordered_fixture_rebuilds_at_least_twice_as_fast_after_a_source_edit_and_stays_equivalent("go", Fixtures.Go, Fixtures.GoBad);
}

[Collection(RealBuilds.Name)]
public sealed class PlainRebuildTests(BaseStore baseStore, ITestOutputHelper output) : MeasuredRebuildTests(baseStore, output)
{
    [Fact]
    public Task Plain_fixture() =>
        A_badly_ordered_fixture_rebuilds_at_least_twice_as_fast_after_a_source_edit_and_stays_equivalent("plain", Fixtures.Plain, Fixtures.PlainBad);
}
