using Bunit;
using LayerLens.Data;
using LayerLens.Data.Model;
using LayerLens.Web.Components.Pages;

namespace LayerLens.Web.Tests.Components.Pages;

public sealed class DashboardTests : MudComponentTest
{
    [Fact]
    public void Shows_an_empty_state_that_leads_to_a_new_analysis_when_there_are_none()
    {
        var page = Context.Render<Dashboard>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=dashboard-empty]")));
        Assert.Contains("No analyses yet", page.Markup);
        Assert.Equal("/analyses/new", page.Find("[data-testid=dashboard-empty] a").GetAttribute("href"));
        Assert.Empty(page.FindAll("[data-testid=analyses-table]"));
    }

    [Fact]
    public void Lists_analyses_newest_first_with_their_status_size_and_waste()
    {
        using (var db = Database.Factory.CreateDbContext())
        {
            db.Analyses.AddRange(
                new Analysis
                {
                    SourceReference = "registry.local/app:old",
                    Status = AnalysisStatus.Succeeded,
                    CreatedAtUtc = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
                    Image = new ImageResult { SizeBytes = 3L * 1024 * 1024, WastedBytes = 1024 * 1024, Efficiency = 0.5 },
                },
                new Analysis
                {
                    SourceReference = "registry.local/app:new",
                    Status = AnalysisStatus.Failed,
                    Error = "blob sha256:abc digest mismatch",
                    CreatedAtUtc = new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc),
                });
            db.SaveChanges();
        }

        var page = Context.Render<Dashboard>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=analyses-table]")));
        var rows = page.FindAll("[data-testid=analyses-table] tbody tr");
        Assert.Equal(2, rows.Count);
        Assert.Contains("registry.local/app:new", rows[0].TextContent);
        Assert.Contains("Failed", rows[0].TextContent);
        Assert.Contains("registry.local/app:old", rows[1].TextContent);
        Assert.Contains("3.15 MB", rows[1].TextContent);
        Assert.Contains("50.0%", rows[1].TextContent);
        Assert.Equal("2", page.Find("[data-testid=total-analyses]").TextContent);
        Assert.Equal("1.05 MB", page.Find("[data-testid=total-wasted]").TextContent);
        Assert.Equal("1", page.Find("[data-testid=total-failed]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=dashboard-empty]"));
    }
}
