using Bunit;
using LayerLens.Web.Components.Review;
using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Web.Reviews;

namespace LayerLens.Web.Tests.Components;

/// <summary>
/// Reports that carry per-step seconds (expected.originalSteps/recommendedSteps and
/// measured.scenarios[].originalSteps/recommendedSteps) chart each bar stacked from its steps.
/// </summary>
public sealed class SavingsStepsTests : MudComponentTest
{
    // Hand-written in the optimiser's report shape. Source edit, original: COPY . invalidates npm ci,
    // 0.5 + 10 + 2 = 12.5 s rebuilt after the cached FROM; recommended: the manifest copy and npm ci
    // stay cached, only COPY . (0.5 s) and the build (2 s) rerun.
    private const string Report = """
    {
      "dockerfile": { "name": "Dockerfile", "text": "FROM node\nCOPY . /app\nRUN npm ci\nRUN npm run build\n" },
      "findings": [],
      "changes": [ { "kind": "reorder", "line": 2, "message": "copy the manifest first", "advice": false, "example": null } ],
      "recommendedDockerfile": "FROM node\nCOPY package.json /app/\nRUN npm ci\nCOPY . /app\nRUN npm run build\n",
      "diff": "",
      "withheld": false,
      "rejectedDockerfile": null,
      "expected": {
        "originalSeconds": 12.5, "recommendedSeconds": 2.5, "weights": "uniform", "durations": "measured",
        "originalSteps": [
          { "line": 2, "instruction": "COPY . /app", "seconds": 0.5 },
          { "line": 3, "instruction": "RUN npm ci", "seconds": 10 },
          { "line": 4, "instruction": "RUN npm run build", "seconds": 2 }
        ],
        "recommendedSteps": [
          { "line": 4, "instruction": "COPY . /app", "seconds": 0.5 },
          { "line": 5, "instruction": "RUN npm run build", "seconds": 2 }
        ]
      },
      "measured": {
        "scenarios": [
          {
            "name": "source-edit", "originalSeconds": 12.5, "recommendedSeconds": 2.5, "runs": 3,
            "originalCachedSteps": 1, "recommendedCachedSteps": 3,
            "originalSteps": [
              { "line": 1, "instruction": "FROM node", "seconds": 0, "cached": true },
              { "line": 2, "instruction": "COPY . /app", "seconds": 0.5, "cached": false },
              { "line": 3, "instruction": "RUN npm ci", "seconds": 10, "cached": false },
              { "line": 4, "instruction": "RUN npm run build", "seconds": 2, "cached": false }
            ],
            "recommendedSteps": [
              { "line": 1, "instruction": "FROM node", "seconds": 0, "cached": true },
              { "line": 2, "instruction": "COPY package.json /app/", "seconds": 0, "cached": true },
              { "line": 3, "instruction": "RUN npm ci", "seconds": 0, "cached": true },
              { "line": 4, "instruction": "COPY . /app", "seconds": 0.5, "cached": false },
              { "line": 5, "instruction": "RUN npm run build", "seconds": 2, "cached": false }
            ]
          }
        ],
        "equivalent": true, "differences": [], "failures": [], "notes": []
      }
    }
    """;

    private IRenderedComponent<SavingsChart> Render(ReviewReport report) =>
        Context.Render<SavingsChart>(p => p.Add(c => c.Expected, report.Expected).Add(c => c.Measured, report.Measured));

    [Fact]
    public void Each_scenario_has_an_original_and_a_recommended_bar_stacked_from_its_steps()
    {
        var chart = Render(ReportJson.ParseReview(Report));

        Assert.Empty(chart.FindAll("[data-testid=savings-chart]")); // not the totals-only chart
        var groups = chart.FindAll("[data-testid=savings-stack-group]");
        Assert.Equal(["expected", "source-edit"], groups.Select(g => g.GetAttribute("data-scenario")));

        var measured = groups[1];
        var original = measured.QuerySelector("[data-testid=savings-bar][data-version=original]")!;
        var recommended = measured.QuerySelector("[data-testid=savings-bar][data-version=recommended]")!;
        Assert.Equal("12.50", original.GetAttribute("data-total"));
        Assert.Equal("2.50", recommended.GetAttribute("data-total"));
        Assert.Equal(["1", "2", "3", "4"], original.QuerySelectorAll("[data-testid=savings-step]").Select(s => s.GetAttribute("data-line")));
        Assert.Equal(["1", "2", "3", "4", "5"], recommended.QuerySelectorAll("[data-testid=savings-step]").Select(s => s.GetAttribute("data-line")));

        // One scale for all bars: the longest build (12.5 s) fills the track, so npm ci's 10 s is 80 % of it.
        var npm = original.QuerySelectorAll("[data-testid=savings-step]").Single(s => s.GetAttribute("data-line") == "3");
        Assert.Contains("width:80%", npm.GetAttribute("style"), StringComparison.Ordinal);
        Assert.Equal("line 3: RUN npm ci — 10.00 s (rebuilt)", npm.GetAttribute("title"));
        // The recommendation keeps the manifest copy and npm ci cached: they are drawn pale and say so.
        var cached = recommended.QuerySelectorAll("[data-testid=savings-step].ll-stack-cached").Select(s => s.GetAttribute("data-line"));
        Assert.Equal(["1", "2", "3"], cached);
        Assert.EndsWith("(cached)", recommended.QuerySelectorAll("[data-testid=savings-step]")[2].GetAttribute("title"), StringComparison.Ordinal);

        // The cost model's bars carry no cache flag; the totals table still gives the saving: 10 s of 12.5 = 80 %.
        var expectedSteps = groups[0].QuerySelectorAll("[data-testid=savings-step]");
        Assert.All(expectedSteps, s => Assert.Equal("", s.GetAttribute("data-cached")));
        Assert.Equal("10.00 s (80%)", chart.FindAll("[data-testid=savings-row]")[1].QuerySelector("[data-testid=savings-saved]")!.TextContent);
        // One colour per instruction keyword, named in the legend.
        Assert.Equal(["COPY", "FROM", "RUN", "cached (pale)"], chart.FindAll("[data-testid=savings-stack-legend] > span").Select(l => l.TextContent.Trim()));
    }

    [Fact]
    public void A_report_without_steps_charts_the_totals()
    {
        // The same report as optimisers wrote it before the per-step arrays existed.
        var report = ReportJson.ParseReview("""
        {
          "dockerfile": { "name": "Dockerfile", "text": "FROM node\n" }, "findings": [], "changes": [],
          "recommendedDockerfile": "FROM node\n", "diff": "", "withheld": false, "rejectedDockerfile": null,
          "expected": { "originalSeconds": 12.5, "recommendedSeconds": 2.5, "weights": "uniform", "durations": "measured" },
          "measured": {
            "scenarios": [ { "name": "source-edit", "originalSeconds": 12.5, "recommendedSeconds": 2.5, "runs": 3, "originalCachedSteps": 1, "recommendedCachedSteps": 3 } ],
            "equivalent": true, "differences": [], "failures": [], "notes": []
          }
        }
        """);

        var chart = Render(report);

        Assert.Null(report.Measured!.Scenarios[0].OriginalSteps);
        Assert.Empty(chart.FindAll("[data-testid=savings-stacked]"));
        Assert.NotNull(chart.Find("[data-testid=savings-chart] svg"));
        Assert.Equal(2, chart.FindAll("[data-testid=savings-row]").Count);
    }
}
