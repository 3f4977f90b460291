using System.Globalization;
using System.Text.Json;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Optimisation;
using LayerLens.Analyzer.BuildContexts;
using LayerLens.Analyzer.Optimisation.CostModel;
using LayerLens.Analyzer.Optimisation.Reports;

namespace LayerLens.Analyzer.Tests.Optimisation;

/// <summary>Moves and splits are proposed only where the cost model, fed real step durations, expects a faster rebuild.</summary>
public sealed class CostDrivenRewriteTests
{
    // The site COPY could pass the config COPY and the RUN (which reads only config). Moving it makes every config
    // edit re-copy the site as well: worth it only when the RUN it passes costs more than the site COPY.
    private const string Dockerfile =
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nWORKDIR /srv\n" +
        "COPY site ./site\nCOPY config ./config\nRUN mkdir -p /opt && cat config/app.conf > /opt/state\nCMD [\"ls\", \"/srv/site\"]\n";

    /// <summary>A BuildKit --progress=plain log of this Dockerfile with the given seconds for the site COPY and the RUN.</summary>
    private static string PlainLog(double copySite, double run) => string.Create(CultureInfo.InvariantCulture,
        $"#5 [2/5] COPY busybox /bin/busybox\n#5 DONE 0.1s\n#6 [3/5] RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n#6 DONE 0.2s\n" +
        $"#7 [4/5] WORKDIR /srv\n#7 DONE 0.0s\n#8 [5/5] COPY site ./site\n#8 DONE {copySite:0.0}s\n#9 [6/5] COPY config ./config\n#9 DONE 0.1s\n" +
        $"#10 [7/5] RUN mkdir -p /opt && cat config/app.conf > /opt/state\n#10 DONE {run:0.0}s\n");

    private static OptimisationResult Optimize(TempDir dir, string dockerfile, string log)
    {
        File.WriteAllText(dir.File("Dockerfile"), dockerfile);
        return Optimizer.Optimize(DockerfileDocument.Parse(dockerfile), BuildContext.Load(dir.Path, dir.File("Dockerfile")), buildLog: BuildLogDurations.Parse(log));
    }

    private static TempDir Project()
    {
        var dir = new TempDir();
        Fixtures.Plain(dir);
        Fixtures.Write(dir, "config/app.conf", "mode=default\n");
        return dir;
    }

    [Fact]
    public void A_copy_is_not_moved_past_a_run_cheaper_than_the_copy_itself()
    {
        using var dir = Project();
        var result = Optimize(dir, Dockerfile, PlainLog(copySite: 5, run: 0.5));

        Assert.Equal("build log", result.DurationSource);
        Assert.DoesNotContain(result.Changes, c => c.Kind == "move-copy");
        Assert.Equal(Dockerfile, result.RecommendedDockerfile);
    }

    [Fact]
    public void A_copy_is_moved_past_an_expensive_run_and_the_expected_rebuild_falls()
    {
        using var dir = Project();
        var result = Optimize(dir, Dockerfile, PlainLog(copySite: 5, run: 60));

        var move = Assert.Single(result.Changes, c => c.Kind == "move-copy");
        Assert.Equal(5, move.Line);
        Assert.Equal(Dockerfile.Replace("COPY site ./site\n", "", StringComparison.Ordinal).Replace("CMD", "COPY site ./site\nCMD", StringComparison.Ordinal), result.RecommendedDockerfile);
        Assert.True(result.ExpectedRecommendedSeconds < result.ExpectedOriginalSeconds);
    }

    [Fact]
    public void A_broad_copy_is_not_split_for_an_install_that_takes_no_time()
    {
        using var dir = new TempDir();
        Fixtures.Node(dir);
        var cheap = "#9 [6/7] COPY . .\n#9 DONE 0.1s\n#10 [7/7] RUN npm ci\n#10 DONE 0.0s\n";
        var result = Optimize(dir, Fixtures.NodeBad, cheap);

        Assert.DoesNotContain(result.Changes, c => c.Kind == "split-copy");
        var expensive = Optimize(dir, Fixtures.NodeBad, "#9 [6/7] COPY . .\n#9 DONE 0.1s\n#10 [7/7] RUN npm ci\n#10 DONE 40.0s\n");
        Assert.Contains(expensive.Changes, c => c.Kind == "split-copy");
    }

    [Fact]
    public void Expected_per_step_seconds_add_up_to_the_expected_totals_with_the_lines_of_each_text()
    {
        using var dir = Project();
        var result = Optimize(dir, Dockerfile, PlainLog(copySite: 5, run: 60));

        Assert.Equal(result.ExpectedOriginalSeconds, result.ExpectedOriginalSteps.Sum(s => s.Seconds), 6);
        Assert.Equal(result.ExpectedRecommendedSeconds, result.ExpectedRecommendedSteps.Sum(s => s.Seconds), 6);
        var lines = Dockerfile.Split('\n');
        Assert.All(result.ExpectedOriginalSteps, s => Assert.Equal(lines[s.Line - 1], s.Instruction));
        var recommended = result.RecommendedDockerfile.Split('\n');
        Assert.All(result.ExpectedRecommendedSteps, s => Assert.Equal(recommended[s.Line - 1], s.Instruction));
        // The 60 s RUN is re-run by every change that reaches it: in the original that includes site edits, not after the move.
        var run = "RUN mkdir -p /opt && cat config/app.conf > /opt/state";
        Assert.True(result.ExpectedRecommendedSteps.Single(s => s.Instruction == run).Seconds < result.ExpectedOriginalSteps.Single(s => s.Instruction == run).Seconds);
        Assert.Equal(0, result.ExpectedOriginalSteps[0].Seconds);

        using var json = JsonDocument.Parse(OptimizeReport.Json(result, null));
        var expected = json.RootElement.GetProperty("expected");
        foreach (var (steps, total) in new[] { ("originalSteps", "originalSeconds"), ("recommendedSteps", "recommendedSeconds") })
        {
            var items = expected.GetProperty(steps).EnumerateArray().ToList();
            Assert.Equal(lines.Count(l => l.Length > 0), items.Count);
            Assert.All(items, i => Assert.False(i.TryGetProperty("cached", out _)));
            // Each share is rounded to the millisecond; the sum stays within rounding of the total.
            Assert.Equal(expected.GetProperty(total).GetDouble(), items.Sum(i => i.GetProperty("seconds").GetDouble()), 2);
        }
    }

    [Fact]
    public void A_generated_dockerfile_with_hundreds_of_movable_copies_finishes_in_bounded_time()
    {
        using var dir = new TempDir();
        var text = new System.Text.StringBuilder("FROM scratch\n");
        for (var i = 0; i < 120; i++)
        {
            Fixtures.Write(dir, $"d{i}/f", "x");
            text.Append(CultureInfo.InvariantCulture, $"COPY d{i}/f /x{i}\nRUN echo {i} > /y{i}\n");
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = Optimize(dir, text.ToString(), "");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"took {clock.Elapsed}");
        Assert.Equal(241, DockerfileDocument.Parse(result.RecommendedDockerfile).Instructions.Count);
    }
}
