using LayerLens.Analyzer.Optimisation;
using LayerLens.Analyzer.Optimisation.Measurement;
using LayerLens.TestInfrastructure;

namespace LayerLens.Analyzer.Tests.Optimisation;

/// <summary>A deliberately wrong reordering, injected as the recommendation, is caught by building both and comparing.</summary>
[Collection(RealBuilds.Name)]
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class WrongReorderingTests(BaseStore baseStore)
{
    /// <summary>The honest result with another Dockerfile put in as its recommendation.</summary>
    internal static OptimisationResult Inject(OptimisationResult honest, string recommended) => new()
    {
        OriginalDockerfile = honest.OriginalDockerfile,
        RecommendedDockerfile = recommended,
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
        var injected = Inject(honest, wrong);

        // Equivalence needs only the first builds: no rebuild scenario.
        var measured = await RebuildMeasurement.MeasureAsync(injected, MeasuredRebuildTests.OneRun(baseStore) with { Scenarios = new HashSet<string>() }, CancellationToken.None);

        Assert.Empty(measured.Failures);
        Assert.Empty(measured.Scenarios);
        Assert.False(measured.Equivalent);
        Assert.Contains(measured.Differences, d => d.StartsWith("/etc/app.conf: content differs", StringComparison.Ordinal));
        Assert.True(Analyzer.Optimisation.Reports.OptimizeReport.Withheld(measured));
    }
}
