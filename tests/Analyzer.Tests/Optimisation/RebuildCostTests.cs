using System.Text.Json;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Optimisation;
using LayerLens.Analyzer.BuildContexts;
using LayerLens.Analyzer.Optimisation.CostModel;
using LayerLens.Analyzer.Optimisation.Reports;

namespace LayerLens.Analyzer.Tests.Optimisation;

/// <summary>The expected rebuild of a multi-stage Dockerfile, worked out by hand from the default step durations.</summary>
public sealed class RebuildCostTests
{
    private const string Dockerfile =
        "FROM scratch AS build\nCOPY src /src\nRUN [\"/bin/cc\", \"-o\", \"/app\", \"/src/main.c\"]\n" +
        "FROM scratch\nCOPY docs /docs\nCOPY --from=build /app /app\nCMD [\"/app\"]\n";

    [Fact]
    public void A_multi_stage_dockerfile_expects_the_sum_of_its_steps_shares_with_a_dependent_stage_rebuilt_after_a_source_edit()
    {
        using var dir = new TempDir();
        Fixtures.Write(dir, "context/src/main.c", new string('c', 1000));
        Fixtures.Write(dir, "context/docs/guide.md", new string('d', 1000));
        Fixtures.Write(dir, "Dockerfile", Dockerfile);
        var result = Optimizer.Optimize(DockerfileDocument.Parse(Dockerfile), BuildContext.Load(dir.File("context"), dir.File("Dockerfile")));

        // Defaults: FROM 0 s, RUN 5 s, metadata 0.05 s, COPY 0.2 s + bytes / 100 MB (a COPY --from copies no context bytes).
        const double copy1000 = 0.2 + 1000 / 100e6, run = StepDurations.RunSeconds, copyFrom = 0.2, cmd = StepDurations.MetadataSeconds;
        // Two equally weighted change events (no git history): "docs" and "src".
        // src re-copies src, re-runs the compile, and the final stage from its COPY --from on; docs rebuilds the final stage from COPY docs.
        var srcEdit = copy1000 + run + copyFrom + cmd;
        var docsEdit = copy1000 + copyFrom + cmd;
        Assert.Equal("uniform", result.WeightSource);
        Assert.Equal((srcEdit + docsEdit) / 2, result.ExpectedOriginalSeconds, 9);
        Assert.Equal(
            [0, copy1000 / 2, run / 2, 0, copy1000 / 2, copyFrom, cmd],
            result.ExpectedOriginalSteps.Select(s => s.Seconds),
            (a, b) => Math.Abs(a - b) < 1e-9);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], result.ExpectedOriginalSteps.Select(s => s.Line));

        // Both versions' totals are the sums of their steps' shares, in the result and in the JSON report.
        Assert.Equal(result.ExpectedOriginalSeconds, result.ExpectedOriginalSteps.Sum(s => s.Seconds), 9);
        Assert.Equal(result.ExpectedRecommendedSeconds, result.ExpectedRecommendedSteps.Sum(s => s.Seconds), 9);
        using var json = JsonDocument.Parse(OptimizeReport.Json(result, null));
        var expected = json.RootElement.GetProperty("expected");
        Assert.Equal(Math.Round((srcEdit + docsEdit) / 2, 3), expected.GetProperty("originalSeconds").GetDouble());
        Assert.Equal(7, expected.GetProperty("originalSteps").GetArrayLength());
    }
}
