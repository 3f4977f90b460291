using LayerLens.Analyzer.Reports.Schema;
using Bunit;
using LayerLens.Web.Components.Review;
using LayerLens.Web.Reviews;

namespace LayerLens.Web.Tests.Components;

public sealed class SavingsChartTests : MudComponentTest
{
    private static readonly ReviewExpected Expected = new(12.5, 3.5, "context", "estimated");

    [Fact]
    public void Without_measurement_the_expected_seconds_are_charted_and_the_page_says_how_to_measure()
    {
        var chart = Context.Render<SavingsChart>(p => p.Add(c => c.Expected, Expected));

        var row = Assert.Single(chart.FindAll("[data-testid=savings-row]"));
        Assert.Equal("expected", row.GetAttribute("data-scenario"));
        // 12.5 − 3.5 = 9.0 s saved, 9 / 12.5 = 72 %.
        Assert.Equal("9.00 s (72%)", row.QuerySelector("[data-testid=savings-saved]")!.TextContent);
        Assert.NotNull(chart.Find("[data-testid=savings-chart] svg"));
        Assert.Contains("Not measured", chart.Find("[data-testid=savings-not-measured]").TextContent, StringComparison.Ordinal);
        Assert.Empty(chart.FindAll("[data-testid=equivalence]"));
    }

    [Fact]
    public void Measured_scenarios_each_get_a_pair_of_bars_and_the_equivalence_verdict_is_shown()
    {
        var measured = new ReviewMeasured(
            [new("source-edit", 8, 2, 3, 3, 5), new("manifest-edit", 8, 8, 3, 3, 3), new("no-change", 0.5, 0.5, 3, 6, 6)],
            Equivalent: true, [], [], []);

        var chart = Context.Render<SavingsChart>(p => p.Add(c => c.Expected, Expected).Add(c => c.Measured, measured));

        var rows = chart.FindAll("[data-testid=savings-row]");
        Assert.Equal(["expected", "source-edit", "manifest-edit", "no-change"], rows.Select(r => r.GetAttribute("data-scenario")));
        Assert.Equal("6.00 s (75%)", rows[1].QuerySelector("[data-testid=savings-saved]")!.TextContent);
        Assert.Equal("0.00 s (0%)", rows[2].QuerySelector("[data-testid=savings-saved]")!.TextContent);
        // Two series (original, recommended) × four scenarios.
        Assert.Equal(8, chart.FindAll("[data-testid=savings-chart] svg rect.mud-chart-bar, [data-testid=savings-chart] svg path.mud-chart-bar").Count);
        Assert.Contains("Equivalent", chart.Find("[data-testid=equivalence]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_difference_between_the_builds_is_shown_as_not_equivalent_with_the_difference()
    {
        var measured = new ReviewMeasured([new("no-change", 1, 1, 1, 4, 4)], Equivalent: false, ["/etc/app.conf: content differs"], [], []);

        var chart = Context.Render<SavingsChart>(p => p.Add(c => c.Expected, Expected).Add(c => c.Measured, measured));

        var verdict = chart.Find("[data-testid=equivalence]").TextContent;
        Assert.Contains("Not equivalent", verdict, StringComparison.Ordinal);
        Assert.Contains("/etc/app.conf: content differs", verdict, StringComparison.Ordinal);
    }
}
