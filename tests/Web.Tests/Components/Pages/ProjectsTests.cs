using Bunit;
using LayerLens.Data.Model;
using LayerLens.Web.Components.Pages;

namespace LayerLens.Web.Tests.Components.Pages;

public sealed class ProjectsTests : MudComponentTest
{
    [Fact]
    public void A_project_with_two_succeeded_images_shows_size_wasted_and_efficiency_trends_and_compares_the_latest_two()
    {
        Guid older, newer;
        using (var db = Database.Factory.CreateDbContext())
        {
            var project = new Project { Name = "registry.local/shop" };
            var lone = new Project { Name = "registry.local/once" };
            db.Projects.AddRange(project, lone);
            Analysis Image(Project p, int day, long size, long wasted) => new()
            {
                Project = p,
                SourceReference = $"{p.Name}:{day}",
                Status = AnalysisStatus.Succeeded,
                CreatedAtUtc = new DateTime(2026, 3, day, 0, 0, 0, DateTimeKind.Utc),
                Image = new ImageResult { SizeBytes = size, WastedBytes = wasted, Efficiency = (size - wasted) / (double)size },
            };
            var a = Image(project, 1, 8L << 20, 4L << 20);
            var b = Image(project, 2, 6L << 20, 1L << 20);
            db.Analyses.AddRange(a, b, Image(lone, 1, 1 << 20, 0),
                new Analysis { Project = project, SourceReference = "Dockerfile", Kind = AnalysisKind.Dockerfile, Status = AnalysisStatus.Succeeded });
            db.SaveChanges();
            (older, newer) = (a.Id, b.Id);
        }

        var page = Context.Render<Projects>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=project]").Count));
        var shop = page.Find("[data-project='registry.local/shop']");
        Assert.Contains("3 analyses", shop.TextContent, StringComparison.Ordinal);
        // Latest: 6 MiB with 1 MiB wasted, so 5/6 ≈ 83.3 % efficient.
        Assert.Contains("latest: 6.29 MB · 1.05 MB wasted", shop.TextContent, StringComparison.Ordinal);
        Assert.NotNull(shop.QuerySelector("[data-testid=project-size-chart] svg"));
        Assert.NotNull(shop.QuerySelector("[data-testid=project-efficiency-chart] svg"));
        Assert.Equal($"/compare?a={older}&b={newer}", shop.QuerySelector("[data-testid=project-compare]")!.GetAttribute("href"));
        var once = page.Find("[data-project='registry.local/once']");
        Assert.Contains("Trends appear once", once.TextContent, StringComparison.Ordinal);
    }
}
