using LayerLens.Analyzer.Optimisation.Measurement;
using LayerLens.Analyzer.Optimisation.Reports;

namespace LayerLens.Analyzer.Tests.Optimisation;

public sealed class ReportTests
{
    private static MeasurementResult Measured(bool equivalent)
    {
        var measured = new MeasurementResult { Equivalent = equivalent };
        measured.Scenarios.Add(new ScenarioResult("source-edit", 9.5, 2.25, 3, 5, 8));
        measured.Scenarios.Add(new ScenarioResult("no-change", 1.8, 1.75, 3, 8, 9));
        if (!equivalent)
        {
            measured.Differences.Add("/etc/app.conf: content differs");
        }
        return measured;
    }

    [Fact]
    public void Markdown_has_the_expectation_a_change_table_the_scenarios_and_the_diff()
    {
        using var dir = new TempDir();
        Fixtures.Node(dir);
        var result = Fixtures.Optimize(dir, Fixtures.NodeBad);

        var md = OptimizeReport.Write("markdown", result, Measured(equivalent: true));

        Assert.StartsWith("## Dockerfile optimisation\n\nExpected rebuild per change: **", md, StringComparison.Ordinal);
        Assert.Contains("| line | kind | change |\n|---:|---|---|\n", md, StringComparison.Ordinal);
        Assert.Contains("| 7 | split-copy | ", md, StringComparison.Ordinal);
        Assert.Contains("(advice)", md, StringComparison.Ordinal);
        Assert.Contains("| source-edit | 9.50 | 2.25 | 3 |\n", md, StringComparison.Ordinal);
        Assert.Contains("Equivalent: the two images have the same filesystem and configuration.", md, StringComparison.Ordinal);
        Assert.Contains("```diff\n--- a/Dockerfile\n+++ b/Dockerfile\n", md, StringComparison.Ordinal);
        Assert.EndsWith("```\n", md, StringComparison.Ordinal);
    }

    [Fact]
    public void A_withheld_recommendation_shows_the_differences_and_no_diff_in_markdown_and_table()
    {
        using var dir = new TempDir();
        Fixtures.Node(dir);
        var result = Fixtures.Optimize(dir, Fixtures.NodeBad);

        foreach (var format in new[] { "markdown", "table" })
        {
            var text = OptimizeReport.Write(format, result, Measured(equivalent: false));
            Assert.Contains("NOT equivalent: the recommendation is withheld.", text, StringComparison.Ordinal);
            Assert.Contains("/etc/app.conf: content differs", text, StringComparison.Ordinal);
            Assert.DoesNotContain("+++ b/Dockerfile", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Table_lists_each_change_with_line_and_kind_the_scenarios_and_the_diff()
    {
        using var dir = new TempDir();
        Fixtures.Node(dir);
        var result = Fixtures.Optimize(dir, Fixtures.NodeBad);

        var table = OptimizeReport.Write("table", result, Measured(equivalent: true));
        var lines = table.Split('\n');

        Assert.StartsWith("Expected rebuild per change: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("    7  rewrite  split-copy ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("  advice   cache-mount ", StringComparison.Ordinal));
        Assert.Contains("source-edit           9.50           2.25     3\n", table, StringComparison.Ordinal);
        Assert.Contains("\n--- a/Dockerfile\n+++ b/Dockerfile\n", table, StringComparison.Ordinal);
    }

    [Fact]
    public void A_well_ordered_dockerfile_says_so_in_the_table()
    {
        using var dir = new TempDir();
        Fixtures.Plain(dir);
        var result = Fixtures.Optimize(dir, Fixtures.Base + "CMD [\"ls\"]\n");

        Assert.Empty(result.Changes);
        Assert.Contains("No changes: the Dockerfile is already well ordered.\n", OptimizeReport.Write("table", result, null), StringComparison.Ordinal);
    }
}
