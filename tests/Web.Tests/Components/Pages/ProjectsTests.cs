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

    [Fact]
    public void A_project_shows_per_branch_trends_default_branch_first_and_marks_a_branch_that_grew_as_worse()
    {
        using (var db = Database.Factory.CreateDbContext())
        {
            var project = new Project { Name = "registry.local/branches", DefaultBranch = "develop" };
            db.Projects.Add(project);
            Analysis Image(string? branch, int day, long size, long wasted) => new()
            {
                Project = project,
                Branch = branch,
                SourceReference = $"{project.Name}:{day}",
                Status = AnalysisStatus.Succeeded,
                CreatedAtUtc = new DateTime(2026, 4, day, 0, 0, 0, DateTimeKind.Utc),
                Image = new ImageResult { SizeBytes = size, WastedBytes = wasted, Efficiency = (size - wasted) / (double)size },
            };
            db.Analyses.AddRange(
                Image("develop", 1, 8L << 20, 2L << 20), Image("develop", 2, 7L << 20, 1L << 20),
                Image("feature/big", 3, 8L << 20, 1L << 20), Image("feature/big", 4, 28L << 20, 21L << 20),
                Image(null, 5, 1L << 20, 0));
            db.SaveChanges();
        }

        var page = Context.Render<Projects>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=project-branch]").Count));
        Assert.Contains("default branch: develop", page.Find("[data-testid=project-default-branch]").TextContent, StringComparison.Ordinal);
        var rows = page.FindAll("[data-testid=project-branch]");
        // The default branch first, though the feature branch was active last; an analysis without a branch is in no row.
        Assert.Equal(["develop", "feature/big"], rows.Select(r => r.GetAttribute("data-branch")));
        Assert.Contains("(default)", rows[0].TextContent, StringComparison.Ordinal);
        // develop shrank and wastes less: better; the feature branch grew by 20 MiB of waste: worse on all three.
        Assert.Equal(["better", "better", "better"], rows[0].QuerySelectorAll("[data-trend]").Select(t => t.GetAttribute("data-trend")));
        Assert.Equal(["worse", "worse", "worse"], rows[1].QuerySelectorAll("[data-trend]").Select(t => t.GetAttribute("data-trend")));
        Assert.Contains("8.39 MB → 29.4 MB ▲", rows[1].TextContent, StringComparison.Ordinal);
    }
}
