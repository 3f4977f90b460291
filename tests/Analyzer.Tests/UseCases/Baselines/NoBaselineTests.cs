using System.Text.Json;
using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.UseCases.Baselines;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Analyzer.Tests.UseCases.Baselines;

/// <summary>No baseline on the branch: a clear "no baseline" verdict that passes or fails as the policy says, in every format.</summary>
public sealed class NoBaselineTests
{
    [Theory]
    [InlineData("pass", true)]
    [InlineData("fail", false)]
    public void No_baseline_gives_one_no_baseline_rule_that_passes_or_fails_as_configured(string setting, bool passes)
    {
        var policy = RegressionPolicy.Default.Apply($"regression:\n  noBaseline: {setting}\n  newFindings: fail\n", "layerlens.yaml");
        var current = BaselineScenario.Lint(BaselineScenarioImages.MainDockerfile);

        var report = BaselineComparison.Compare((ReviewedDockerfile?)null, current, policy, new BaselineIdentity(null, null, "main"));

        Assert.False(report.Baseline.Found);
        Assert.Null(report.Baseline.Findings);
        Assert.True(report.Baseline.Verdict.NoBaseline);
        var rule = Assert.Single(report.Baseline.Verdict.Rules);
        Assert.Equal(RegressionJudge.NoBaselineRule, rule.Rule);
        Assert.Equal(passes, report.Baseline.Verdict.Passed);
        Assert.Contains("no baseline to compare with (no successful analysis on branch main)", rule.Message, StringComparison.Ordinal);
        foreach (var format in DeltaReportSet.Formats)
        {
            Assert.NotEmpty(ImageBaselineTests.Write(new DeltaReportSet(report), format));
        }
        Assert.Contains("**No baseline**", ImageBaselineTests.Write(new DeltaReportSet(report), "markdown"), StringComparison.Ordinal);
        var json = JsonDocument.Parse(ImageBaselineTests.Write(new DeltaReportSet(report), "json")).RootElement.GetProperty("baseline");
        Assert.False(json.GetProperty("found").GetBoolean());
        Assert.Equal(passes, json.GetProperty("verdict").GetProperty("passed").GetBoolean());
    }

    [Fact]
    public void An_image_without_baseline_passes_by_default_and_names_the_baseline_id_it_did_not_find()
    {
        var image = new ImageReport(1, new ReportImage("app", null, null, 1, 1, 1, 1, null), [], new ReportEfficiency(1, 0, 0), [], [], new ReportVerdict(true, []));

        var report = BaselineComparison.Compare(null, image, RegressionPolicy.Default, new BaselineIdentity("0193-missing", null, null));

        Assert.True(report.Baseline.Verdict.Passed);
        Assert.Contains("baseline 0193-missing not found", report.Baseline.Verdict.Rules[0].Message, StringComparison.Ordinal);
        var junit = ImageBaselineTests.Write(new DeltaReportSet(report), "junit");
        Assert.Contains("name=\"noBaseline\"", junit, StringComparison.Ordinal);
    }
}
