using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.Tests.Reports;
using LayerLens.Analyzer.UseCases.Baselines;
using LayerLens.Analyzer.Waste;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Analyzer.Tests.UseCases.Baselines;

/// <summary>Three builds on main and a pull request adding a 20 MB dead file, compared from their schema v1 reports.</summary>
public sealed class ImageBaselineTests
{
    [Fact]
    public async Task The_pull_request_fails_only_on_regression_rules_each_with_its_values_before_and_after()
    {
        using var temp = new TempDir();
        var rules = CiRules.DiveDefaults.Apply(BaselineScenarioImages.Policy, "layerlens.yaml");
        var main3 = await BaselineScenario.ReportAsync(temp, "main-3", BaselineScenarioImages.MainBuild(3));
        var pr = await BaselineScenario.AnalyseAsync(temp, "pr", BaselineScenarioImages.PullRequest(), rules);

        var report = BaselineComparison.Compare(main3, ImageReport.From(pr.Analysis, pr.Verdict), BaselineScenario.RegressionPolicy(),
            new BaselineIdentity("0193a1b2-main-3", "abc1234", "main"));

        // The image is within the absolute thresholds of the same file: only the change is judged a failure.
        Assert.True(pr.Verdict.Passed);
        var verdict = report.Baseline.Verdict;
        Assert.False(verdict.Passed);
        Assert.False(verdict.NoBaseline);
        Assert.Equal(
            ["maxSizeIncreaseBytes", "maxSizeIncreasePercent", "maxWastedIncreaseBytes", "maxEfficiencyDrop", "newWaste"],
            verdict.Failures.Select(r => r.Rule));
        var size = verdict.Rules.Single(r => r.Rule == "maxSizeIncreaseBytes");
        Assert.Equal(ByteSize.Format(main3.Image.SizeBytes), size.Before);
        Assert.Equal(ByteSize.Format(pr.Analysis.SizeBytes), size.After);
        Assert.Equal("+5.00 MB", size.Threshold);
        Assert.Contains("grew by 20.0 MB", size.Message, StringComparison.Ordinal);
        Assert.Contains(DeltaFor(report).NewWaste, w => w.Path == BaselineScenarioImages.DeadFile && w.Kind == WasteKind.Deleted && w.Bytes == BaselineScenarioImages.DeadFileBytes);
    }

    [Fact]
    public async Task Builds_on_main_that_grow_a_little_pass_every_regression_rule()
    {
        using var temp = new TempDir();
        var builds = new List<ImageReport>();
        for (var build = 1; build <= 3; build++)
        {
            builds.Add(await BaselineScenario.ReportAsync(temp, $"main-{build}", BaselineScenarioImages.MainBuild(build)));
        }

        for (var i = 1; i < builds.Count; i++)
        {
            var report = BaselineComparison.Compare(builds[i - 1], builds[i], BaselineScenario.RegressionPolicy());
            Assert.True(report.Baseline.Verdict.Passed, string.Join("; ", report.Baseline.Verdict.Failures.Select(f => f.Message)));
            Assert.Equal(5, report.Baseline.Verdict.Rules.Count);
            var delta = DeltaFor(report);
            Assert.Equal(1_000, delta.SizeBytes.Change);
            Assert.Empty(delta.NewWaste);
            Assert.Equal(1_000, delta.LargestGrowth!.Growth);
            Assert.Equal(BaselineScenarioImages.MainHistory[1], delta.LargestGrowth.CreatedBy);
        }
    }

    [Fact]
    public async Task Layers_are_matched_by_instruction_so_the_inserted_steps_are_new_and_the_one_that_grew_most_is_named()
    {
        using var temp = new TempDir();
        var main3 = await BaselineScenario.ReportAsync(temp, "main-3", BaselineScenarioImages.MainBuild(3));
        var pr = await BaselineScenario.ReportAsync(temp, "pr", BaselineScenarioImages.PullRequest());

        var delta = DeltaFor(BaselineComparison.Compare(main3, pr, RegressionPolicy.Default));

        // Main's chmod layer is index 2 there and 4 in the PR: matched by its instruction, not by position.
        Assert.Equal([(0, 0), (1, 1), (null, 2), (null, 3), (2, 4)], delta.Layers.Select(l => (l.BeforeIndex, l.AfterIndex)));
        Assert.All(delta.Layers.Where(l => l.BeforeIndex is not null), l => Assert.Equal(0, l.Growth));
        Assert.Equal(2, delta.LargestGrowth!.AfterIndex);
        Assert.Null(delta.LargestGrowth.BeforeIndex);
        Assert.Equal("/bin/sh -c #(nop) COPY file:dead in /tmp/dead.bin", delta.LargestGrowth.CreatedBy);
        Assert.True(delta.LargestGrowth.Growth >= BaselineScenarioImages.DeadFileBytes);
        Assert.Equal(main3.Efficiency.WastedBytes + BaselineScenarioImages.DeadFileBytes, pr.Efficiency.WastedBytes);
        Assert.Equal(BaselineScenarioImages.DeadFileBytes, delta.WastedBytes.Change);
        Assert.Equal(0, delta.FileCount.Change);
        Assert.True(delta.Efficiency.Change < -0.5);
        Assert.Empty(delta.ResolvedWaste);
    }

    [Fact]
    public async Task The_markdown_comment_shows_the_before_after_table_only_the_new_waste_the_largest_growth_and_the_compare_link()
    {
        using var temp = new TempDir();
        var main3 = await BaselineScenario.ReportAsync(temp, "main-3", BaselineScenarioImages.MainBuild(3));
        var pr = await BaselineScenario.ReportAsync(temp, "pr", BaselineScenarioImages.PullRequest());
        var report = BaselineComparison.Compare(main3, pr, BaselineScenario.RegressionPolicy(), new BaselineIdentity("b1", "abc1234def5678", "main"));

        var markdown = Write(new DeltaReportSet(report, new("https://layerlens.example.com/analyses/a2/compare?baseline=b1")), "markdown");

        Assert.Contains("| metric | baseline | current | change |", markdown, StringComparison.Ordinal);
        Assert.Contains($"| image size | {ByteSize.Format(main3.Image.SizeBytes)} | {ByteSize.Format(pr.Image.SizeBytes)} | ↑ +20.0 MB", markdown, StringComparison.Ordinal);
        Assert.Contains($"| wasted bytes | {ByteSize.Format(main3.Efficiency.WastedBytes)} | {ByteSize.Format(pr.Efficiency.WastedBytes)} | ↑ +20.0 MB", markdown, StringComparison.Ordinal);
        Assert.Contains("| efficiency |", markdown, StringComparison.Ordinal);
        Assert.Contains("| files | 3 | 3 | = +0 |", markdown, StringComparison.Ordinal);
        Assert.Contains("the baseline `main` @ `abc1234def56`", markdown, StringComparison.Ordinal);
        Assert.Contains("**Grew most:** new layer 2 `/bin/sh -c #(nop) COPY file:dead in /tmp/dead.bin`", markdown, StringComparison.Ordinal);
        Assert.Contains("#### New waste (1)", markdown, StringComparison.Ordinal);
        Assert.Contains($"| 20.0 MB | deleted | `{BaselineScenarioImages.DeadFile}` | 2 | 3 |", markdown, StringComparison.Ordinal);
        // Waste main already had (the chmod's copy of app/config) is not the change's: it is not listed.
        Assert.DoesNotContain("`app/config`", markdown, StringComparison.Ordinal);
        Assert.Contains("- ❌ **maxSizeIncreaseBytes**", markdown, StringComparison.Ordinal);
        Assert.Contains("[Compare with the baseline](https://layerlens.example.com/analyses/a2/compare?baseline=b1)", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_junit_and_sarif_carry_the_baseline_block_one_case_per_rule_and_the_new_waste_as_new()
    {
        using var temp = new TempDir();
        var main3 = await BaselineScenario.ReportAsync(temp, "main-3", BaselineScenarioImages.MainBuild(3));
        var pr = await BaselineScenario.ReportAsync(temp, "pr", BaselineScenarioImages.PullRequest());
        var set = new DeltaReportSet(BaselineComparison.Compare(main3, pr, BaselineScenario.RegressionPolicy(), new BaselineIdentity("b1", "abc1234", "main")));

        var json = Write(set, "json");
        var parsed = ReportJson.ParseDelta(json);
        Assert.Equal(set.Report.Baseline.Image!.SizeBytes, parsed.Baseline.Image!.SizeBytes);
        Assert.Equal(set.Report.Baseline.Verdict.Rules, parsed.Baseline.Verdict.Rules);
        var baseline = JsonDocument.Parse(json).RootElement.GetProperty("baseline");
        Assert.Equal("b1", baseline.GetProperty("id").GetString());
        Assert.Equal("abc1234", baseline.GetProperty("commit").GetString());
        Assert.Equal("main", baseline.GetProperty("branch").GetString());
        Assert.False(baseline.GetProperty("verdict").GetProperty("passed").GetBoolean());
        Assert.Equal("failed", baseline.GetProperty("verdict").GetProperty("rules")[0].GetProperty("outcome").GetString());
        Assert.Equal(BaselineScenarioImages.DeadFileBytes, baseline.GetProperty("image").GetProperty("wastedBytes").GetProperty("change").GetInt64());

        var junit = XDocument.Parse(Write(set, "junit"));
        var cases = junit.Descendants("testcase").ToList();
        Assert.Equal(set.Report.Baseline.Verdict.Rules.Select(r => r.Rule), cases.Select(c => c.Attribute("name")!.Value));
        Assert.Equal(5, cases.Count(c => c.Element("failure") is not null));

        var sarif = Write(set, "sarif");
        SarifSchema.AssertValid(sarif);
        var results = JsonDocument.Parse(sarif).RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
        var waste = results.Single(r => r.GetProperty("ruleId").GetString() == "waste/deleted");
        Assert.Equal("new", waste.GetProperty("baselineState").GetString());
        Assert.True(waste.GetProperty("partialFingerprints").TryGetProperty("layerlens/v1", out _));
        Assert.Equal(5, results.Count(r => r.GetProperty("ruleId").GetString()!.StartsWith("regression/", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_hostile_report_with_thousands_of_layers_is_matched_in_bounded_memory()
    {
        // 3,000 × 3,000 layers would need a 36 MB table for the subsequence match; above the cap, layers pair by position.
        var layers = Enumerable.Range(0, 3_000).Select(i => new ReportLayer(i, null, null, 10, 10, $"step {i}", 1, 0, 0)).ToList();
        var report = new ImageReport(1, new ReportImage("x", null, null, 30_000, 30_000, 30_000, 3_000, null), layers,
            new ReportEfficiency(1, 0, 0), [], [], new ReportVerdict(true, []));

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var delta = ImageDeltas.Compute(report, report with { Layers = [.. layers.Select(l => l with { CreatedBy = "other " + l.Index })] });
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        Assert.Equal(3_000, delta.Layers.Count);
        Assert.True(allocated < 8_000_000, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public void Hostile_long_layer_instructions_are_compared_once_each_not_once_per_table_cell()
    {
        // 2,000 × 2,000 layers (under the cell cap) whose createdBy are 8 KB alike but for their last characters:
        // comparing strings in each cell of the subsequence table costs 4 million 8 KB comparisons.
        var prefix = new string('x', 8_000);
        var layers = Enumerable.Range(0, 2_000).Select(i => new ReportLayer(i, null, null, 10, 10, $"{prefix} {i}", 1, 0, 0)).ToList();
        var report = new ImageReport(1, new ReportImage("x", null, null, 20_000, 20_000, 20_000, 2_000, null), layers,
            new ReportEfficiency(1, 0, 0), [], [], new ReportVerdict(true, []));
        var changed = report with { Layers = [.. layers.Select(l => l with { CreatedBy = $"{prefix} other {l.Index}" })] };
        var comparer = new CountingComparer();

        var delta = ImageDeltas.Compute(report, changed, comparer);

        Assert.Equal(2_000, delta.Layers.Count);
        Assert.True(comparer.Comparisons <= 4 * 4_000, $"{comparer.Comparisons:N0} string comparisons for 4,000 layers");
        // The same steps still match as before: an inserted step leaves the others paired by instruction.
        var inserted = changed with { Layers = [changed.Layers[0], .. layers.Select(l => l with { CreatedBy = $"{prefix} other {l.Index}" })] };
        var paired = ImageDeltas.Compute(changed, inserted, comparer).Layers;
        Assert.Single(paired, l => l.BeforeIndex is null);
    }

    /// <summary>Ordinal, counting the string comparisons made (the work the matching does, not its time).</summary>
    private sealed class CountingComparer : IEqualityComparer<string>
    {
        public long Comparisons { get; private set; }

        public bool Equals(string? x, string? y)
        {
            Comparisons++;
            return string.Equals(x, y, StringComparison.Ordinal);
        }

        public int GetHashCode(string obj) => StringComparer.Ordinal.GetHashCode(obj);
    }

    private static ImageDelta DeltaFor(DeltaReport report) => report.Baseline.Image ?? throw new InvalidOperationException("no image delta");

    internal static string Write(DeltaReportSet set, string format)
    {
        using var buffer = new MemoryStream();
        set.Write(format, buffer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
