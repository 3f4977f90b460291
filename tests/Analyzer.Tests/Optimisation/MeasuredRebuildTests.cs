using LayerLens.Analyzer.Optimisation;
using LayerLens.Analyzer.Optimisation.Measurement;
using Xunit.Abstractions;

namespace LayerLens.Analyzer.Tests.Optimisation;

/// <summary>
/// Real buildah builds of the fixture projects, one run each to keep the suite short: the recommendation
/// must cut the rebuild after a source edit at least in half and build an equivalent image, and a wrong
/// reordering must be caught by the equivalence check.
/// </summary>
public sealed class MeasuredRebuildTests(ITestOutputHelper output)
{
    private static readonly MeasureOptions OneRun = new() { Runs = 1, BuildTimeout = TimeSpan.FromMinutes(3) };

    public static TheoryData<string> BadlyOrdered => ["node", "python", "go", "plain"];

    [Theory]
    [MemberData(nameof(BadlyOrdered))]
    public async Task A_badly_ordered_fixture_rebuilds_at_least_twice_as_fast_after_a_source_edit_and_stays_equivalent(string fixture)
    {
        using var dir = new TempDir();
        var dockerfile = fixture switch
        {
            "node" => Setup(Fixtures.Node, Fixtures.NodeBad),
            "python" => Setup(Fixtures.Python, Fixtures.PythonBad),
            "go" => Setup(Fixtures.Go, Fixtures.GoBad),
            _ => Setup(Fixtures.Plain, Fixtures.PlainBad),
        };
        string Setup(Action<TempDir> make, string text)
        {
            make(dir);
            return text;
        }
        var result = Fixtures.Optimize(dir, dockerfile);
        Assert.True(result.HasRewrites, "expected a rewrite for " + fixture);

        var measured = await RebuildMeasurement.MeasureAsync(result, OneRun, CancellationToken.None);

        Assert.Empty(measured.Failures);
        Assert.True(measured.Equivalent, string.Join("\n", measured.Differences));
        var source = Assert.Single(measured.Scenarios, s => s.Name == "source-edit");
        output.WriteLine($"{fixture}: source-edit {source.OriginalSeconds:0.00} s -> {source.RecommendedSeconds:0.00} s; " +
            string.Join("; ", measured.Scenarios.Select(s => $"{s.Name} {s.OriginalSeconds:0.00} -> {s.RecommendedSeconds:0.00}")));
        Assert.True(source.RecommendedSeconds <= 0.5 * source.OriginalSeconds,
            $"{fixture}: source edit rebuild {source.OriginalSeconds:0.00} s -> {source.RecommendedSeconds:0.00} s is not a 50% cut");
        Assert.True(source.RecommendedCachedSteps > source.OriginalCachedSteps);
        Assert.Contains(measured.Scenarios, s => s.Name == "no-change");
        Assert.Equal(fixture != "plain", measured.Scenarios.Any(s => s.Name == "manifest-edit"));
    }

    [Fact]
    public async Task A_wrong_reordering_is_caught_by_the_equivalence_check()
    {
        using var dir = new TempDir();
        Fixtures.Plain(dir);
        Fixtures.Write(dir, "app.conf", "mode=default\n");
        // The RUN appends to the copied file: running it before the COPY loses the appended line.
        var original = Fixtures.Base + "COPY app.conf /etc/app.conf\nRUN echo mode=tuned >> /etc/app.conf\n";
        var wrong = Fixtures.Base + "RUN mkdir -p /etc && echo mode=tuned >> /etc/app.conf\nCOPY app.conf /etc/app.conf\n";
        var honest = Fixtures.Optimize(dir, original);
        Assert.False(honest.HasRewrites);
        var injected = new OptimisationResult
        {
            OriginalDockerfile = honest.OriginalDockerfile,
            RecommendedDockerfile = wrong,
            Changes = [new("move-copy", 4, "deliberately wrong")],
            Diff = "",
            ExpectedOriginalSeconds = 0,
            ExpectedRecommendedSeconds = 0,
            WeightSource = honest.WeightSource,
            DurationSource = honest.DurationSource,
            OriginalStages = honest.OriginalStages,
            RecommendedStages = honest.RecommendedStages,
            Durations = honest.Durations,
            Merged = honest.Merged,
            Events = honest.Events,
            StageNames = honest.StageNames,
            Context = honest.Context,
            Manifests = honest.Manifests,
        };

        var measured = await RebuildMeasurement.MeasureAsync(injected, OneRun, CancellationToken.None);

        Assert.Empty(measured.Failures);
        Assert.False(measured.Equivalent);
        Assert.Contains(measured.Differences, d => d.StartsWith("/etc/app.conf: content differs", StringComparison.Ordinal));
        Assert.True(Analyzer.Optimisation.Reports.OptimizeReport.Withheld(measured));
    }
}
