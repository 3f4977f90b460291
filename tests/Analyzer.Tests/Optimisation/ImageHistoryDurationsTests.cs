using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Optimisation.CostModel;
using LayerLens.Analyzer.Optimisation.Measurement;
using LayerLens.TestInfrastructure;

namespace LayerLens.Analyzer.Tests.Optimisation;

/// <summary>Step durations read from the history timestamps of a real buildah-built image.</summary>
[Collection(RealBuilds.Name)]
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class ImageHistoryDurationsTests(BaseStore baseStore)
{
    private const int SleepSeconds = 3;

    private static readonly string Dockerfile = Fixtures.Base + $"WORKDIR /srv\nCOPY site ./site\nRUN mkdir -p /opt/toolchain && sleep {SleepSeconds} && echo ready > /opt/toolchain/state\nCMD [\"ls\", \"/srv/site\"]\n";

    [Fact]
    public async Task A_sleeping_run_gets_its_duration_from_the_history_and_the_cost_model_uses_it()
    {
        using var dir = new TempDir();
        Fixtures.Plain(dir);
        File.WriteAllText(dir.File("Dockerfile"), Dockerfile);
        var builder = new BuildahBuild(dir.File("store"), TimeSpan.FromMinutes(3), baseStore.Root);
        IReadOnlyList<HistoryEntry> history;
        try
        {
            var built = await builder.BuildAsync(dir.File("Dockerfile"), dir.Path, "history", CancellationToken.None);
            Assert.True(built.Success, built.LogTail);
            await builder.PushOciAsync(built.ImageId!, dir.File("oci"), CancellationToken.None);
            using var image = await ImageOpener.OpenAsync("oci:" + dir.File("oci") + ":image", new ImageOpenOptions());
            history = image.Config.History!;
        }
        finally
        {
            await builder.CleanAsync();
        }

        var withHistory = Fixtures.Optimize(dir, Dockerfile, history);
        var run = withHistory.OriginalStages[0].Single(s => s.Keyword == "RUN" && s.Line == 6);
        var seconds = withHistory.Durations.Of(run, withHistory.Context);
        Assert.Equal("image history", withHistory.DurationSource);
        Assert.InRange(seconds, SleepSeconds, SleepSeconds + 30);
        var copy = withHistory.OriginalStages[0].Single(s => s.Keyword == "COPY" && s.Line == 5);
        Assert.True(withHistory.Durations.IsKnown(copy));
        // The default guess for a RUN is 5 s; the measured 3 s sleep moves the expectation with it.
        var defaults = Fixtures.Optimize(dir, Dockerfile);
        Assert.Equal("defaults", defaults.DurationSource);
        Assert.NotEqual(defaults.ExpectedOriginalSeconds, withHistory.ExpectedOriginalSeconds);

        // The same history does not fit another Dockerfile: nothing is taken from it.
        var other = Fixtures.Optimize(dir, Dockerfile.Replace("sleep 3", "sleep 4", StringComparison.Ordinal), history);
        Assert.Equal("defaults", other.DurationSource);
    }

    [Fact]
    public void Deltas_of_consecutive_entries_become_step_seconds_and_the_first_step_and_spans_across_builds_are_skipped()
    {
        using var dir = new TempDir();
        Fixtures.Plain(dir);
        HistoryEntry At(string created, string by) => new() { Created = created, CreatedBy = by };
        var history = new List<HistoryEntry>
        {
            At("2024-01-01T10:00:00Z", "/bin/sh -c #(nop) COPY file:ab in /bin/busybox"),
            At("2024-01-01T10:00:01Z", "/bin/sh -c [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]"),
            At("2024-01-01T10:00:01.5Z", "/bin/sh -c #(nop) WORKDIR /srv"),
            At("2024-01-03T10:00:00Z", "/bin/sh -c #(nop) COPY dir:cd in ./site"),
            At("2024-01-03T10:00:42Z", "RUN /bin/sh -c mkdir -p /opt/toolchain && sleep 3 && echo ready > /opt/toolchain/state # buildkit"),
            At("2024-01-03T10:00:42.25Z", "CMD [\"ls\", \"/srv/site\"]"),
        };

        var result = Fixtures.Optimize(dir, Dockerfile, history);

        var steps = result.OriginalStages[0];
        double? Seconds(int line) => steps.Single(s => s.Line == line) is var s && result.Durations.IsKnown(s) ? result.Durations.Of(s, result.Context) : null;
        Assert.Null(Seconds(2)); // first step: nothing before it in this image
        Assert.Equal(1, Seconds(3));
        Assert.Equal(0.5, Seconds(4));
        Assert.Null(Seconds(5)); // two days: a step served from an old cache, not a duration
        Assert.Equal(42, Seconds(6));
        Assert.Equal(0.25, Seconds(7));
    }
}
