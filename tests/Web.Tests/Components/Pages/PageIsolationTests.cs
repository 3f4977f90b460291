using Bunit;
using LayerLens.Data;
using LayerLens.Data.Model;
using LayerLens.Data.Model.Workspaces;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Components.Pages;
using LayerLens.Web.Configuration;
using LayerLens.Web.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace LayerLens.Web.Tests.Components.Pages;

/// <summary>Pages of one workspace render as if another workspace's analyses and projects did not exist.</summary>
public sealed class PageIsolationTests : MudComponentTest
{
    private readonly Guid _foreignA;
    private readonly Guid _foreignB;
    private readonly string _blobs = Directory.CreateTempSubdirectory("layerlens-pages-").FullName;

    public PageIsolationTests()
    {
        var other = Guid.NewGuid();
        var system = Database.Provider.GetRequiredService<SystemDbContextFactory>();
        using (var db = system.CreateDbContext())
        {
            db.Workspaces.Add(new Workspace { Id = other, Name = "other" });
            db.SaveChanges();
        }
        using (var db = system.ForWorkspace(other))
        {
            var project = new Project { Name = "registry.local/secret-team" };
            Analysis Image(int day) => new()
            {
                Project = project,
                SourceReference = $"registry.local/secret-team:{day}",
                Status = AnalysisStatus.Succeeded,
                CreatedAtUtc = new DateTime(2026, 4, day, 0, 0, 0, DateTimeKind.Utc),
                Image = new ImageResult { SizeBytes = 4 << 20, WastedBytes = 1 << 20, Efficiency = 0.75 },
            };
            var a = Image(1);
            var b = Image(2);
            db.Analyses.AddRange(a, b);
            db.SaveChanges();
            (_foreignA, _foreignB) = (a.Id, b.Id);
        }
        var settings = new ResolvedSettings(Path.GetTempPath(), DatabaseProvider.Sqlite, "", JobStorageProvider.Embedded, "", false);
        var layout = new DataLayout(settings);
        Context.Services.AddSingleton(layout);
        Context.Services.AddSingleton(settings);
        Context.Services.AddSingleton(_ => new LayerLens.Data.Blobs.BlobStore(_blobs));
        Context.Services.AddSingleton<LayerLens.Web.Storage.IArtifactStore, LayerLens.Web.Storage.LocalArtifactStore>();
        Context.Services.AddSingleton<LayerLens.Web.Limits.WorkspaceQuotas>(); // a retry checks the quotas
        Context.Services.AddSingleton<LayerLens.Web.Analyses.ReportCache>();
        Context.Services.AddSingleton(new LayerLens.Web.Jobs.AnalysisNotifier { FallbackPollInterval = TimeSpan.FromHours(1) });
        Context.Services.AddSingleton<Hangfire.IBackgroundJobClient, NoJobs>();
        Context.Services.AddSingleton<LayerLens.Web.Jobs.JobCancellations>();
        var viewer = new LayerLens.Web.Tenancy.WorkspaceContext();
        viewer.Set(Database.WorkspaceId, "viewer@layerlens.test", LayerLens.Web.Tenancy.ApiScopes.AnalysesRead);
        Context.Services.AddSingleton(viewer);
        Context.Services.AddSingleton(Database.Provider.GetRequiredService<LayerLens.Data.Tenancy.SystemDbContextFactory>());
        Context.Services.AddSingleton<LayerLens.Web.Tenancy.WorkspaceAccess>();
        Context.Services.AddSingleton<LayerLens.Web.Jobs.AnalysisQueue>();
    }

    [Fact]
    public void The_analysis_page_of_another_workspaces_analysis_is_not_found()
    {
        var page = Context.Render<AnalysisPage>(p => p.Add(x => x.Id, _foreignA));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=analysis-not-found]")));
        Assert.Empty(page.FindAll("[data-testid=analysis-title]"));
        Assert.DoesNotContain("secret-team", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void The_dashboard_does_not_list_another_workspaces_analyses()
    {
        var page = Context.Render<Dashboard>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=dashboard-empty]")));
        Assert.DoesNotContain("secret-team", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void The_projects_page_does_not_show_another_workspaces_projects()
    {
        var page = Context.Render<Projects>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=projects-empty]")));
        Assert.DoesNotContain("secret-team", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void The_compare_page_does_not_compare_another_workspaces_analyses()
    {
        var navigation = Context.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo($"/compare?a={_foreignA}&b={_foreignB}");
        var page = Context.Render<Compare>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=compare-empty]")));
        Assert.Empty(page.FindAll("[data-testid=compare-deltas]"));
        Assert.DoesNotContain("secret-team", page.Markup, StringComparison.Ordinal);
    }
}
