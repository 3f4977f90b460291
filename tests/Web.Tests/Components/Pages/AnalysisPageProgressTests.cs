using Bunit;
using Hangfire;
using LayerLens.Data;
using LayerLens.Data.Model;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Analyses;
using LayerLens.Web.Components.Pages;
using LayerLens.Web.Configuration;
using LayerLens.Web.Jobs;
using LayerLens.Web.Storage;
using LayerLens.Web.Tests.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LayerLens.Web.Tests.Components.Pages;

/// <summary>The analysis page shows a job's progress and status as they are pushed, not when a poll comes round.</summary>
public sealed class AnalysisPageProgressTests : MudComponentTest, IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("layerlens-page-data-").FullName;
    private readonly Guid _id;

    public AnalysisPageProgressTests()
    {
        using (var db = System.ForWorkspace(Database.WorkspaceId))
        {
            var analysis = new Analysis
            {
                SourceReference = "registry.local/app:1",
                Status = AnalysisStatus.Running,
                ProgressPhase = "reading layers",
                ProgressLayersDone = 1,
                ProgressLayerCount = 4,
                ProgressBytesRead = 100,
                ProgressTotalBytes = 400,
            };
            db.Analyses.Add(analysis);
            db.SaveChanges();
            _id = analysis.Id;
        }
        var settings = new ResolvedSettings(_data, DatabaseProvider.Sqlite, Database.ConnectionString, JobStorageProvider.Embedded, "", false);
        var layout = new DataLayout(settings);
        Context.Services.AddSingleton(layout);
        Context.Services.AddSingleton(settings);
        var blobs = new LayerLens.Data.Blobs.BlobStore(_data);
        Context.Services.AddSingleton(blobs);
        var store = new LayerLens.Web.Storage.LocalArtifactStore(blobs, layout);
        Context.Services.AddSingleton<LayerLens.Web.Storage.IArtifactStore>(store);
        Context.Services.AddSingleton<LayerLens.Web.Limits.WorkspaceQuotas>(); // a retry checks the quotas
        Context.Services.AddSingleton(new ReportCache(store));
        Context.Services.AddSingleton<IBackgroundJobClient>(new RecordingJobClient());
        Context.Services.AddSingleton<JobCancellations>();
        var member = new LayerLens.Web.Tenancy.WorkspaceContext();
        member.Set(Database.WorkspaceId, "member@layerlens.test", LayerLens.Web.Tenancy.ApiScopes.ForRole(LayerLens.Data.Model.Workspaces.WorkspaceRole.Member));
        Context.Services.AddSingleton(member);
        Context.Services.AddSingleton(System);
        Context.Services.AddSingleton<LayerLens.Web.Tenancy.WorkspaceAccess>();
        Context.Services.AddSingleton<AnalysisQueue>();
    }

    private SystemDbContextFactory System => Database.Provider.GetRequiredService<SystemDbContextFactory>();

    private async Task UpdateAsync(Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Analysis>> set)
    {
        await using var db = System.CreateDbContext();
        await db.Analyses.Where(a => a.Id == _id).ExecuteUpdateAsync(set);
    }

    [Fact]
    public async Task Progress_and_the_final_status_reach_the_open_page_when_the_job_publishes_them()
    {
        // The fallback poll is an hour away: anything the page shows next came through the notifier.
        var notifier = new AnalysisNotifier { FallbackPollInterval = TimeSpan.FromHours(1) };
        Context.Services.AddSingleton(notifier);
        var page = Context.Render<AnalysisPage>(p => p.Add(c => c.Id, _id));
        page.WaitForAssertion(() => Assert.Contains("reading layers", page.Find("[data-testid=progress-phase]").TextContent));

        await UpdateAsync(s => s.SetProperty(a => a.ProgressLayersDone, 3).SetProperty(a => a.ProgressBytesRead, 300).SetProperty(a => a.ProgressPhase, "merging layers"));
        notifier.Publish(_id);
        page.WaitForAssertion(() =>
        {
            Assert.Contains("merging layers", page.Find("[data-testid=progress-phase]").TextContent);
            Assert.StartsWith("Layer 3 of 4", page.Find("[data-testid=progress-layers]").TextContent.Trim(), StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(5));

        await UpdateAsync(s => s.SetProperty(a => a.Status, AnalysisStatus.Failed).SetProperty(a => a.Error, "layer 2: unexpected end of gzip stream"));
        notifier.Publish(_id);
        page.WaitForAssertion(() =>
        {
            Assert.Contains("layer 2: unexpected end of gzip stream", page.Find("[data-testid=analysis-error]").TextContent);
            Assert.NotNull(page.Find("[data-testid=analysis-retry]"));
            Assert.Empty(page.FindAll("[data-testid=progress]"));
        }, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_job_in_another_process_is_still_seen_through_the_slow_poll()
    {
        // Nothing is published here (the job runs elsewhere): only the database poll can carry the change.
        Context.Services.AddSingleton(new AnalysisNotifier { FallbackPollInterval = TimeSpan.FromMilliseconds(200) });
        var page = Context.Render<AnalysisPage>(p => p.Add(c => c.Id, _id));
        page.WaitForAssertion(() => Assert.Contains("reading layers", page.Find("[data-testid=progress-phase]").TextContent));

        await UpdateAsync(s => s.SetProperty(a => a.ProgressPhase, "writing results"));
        page.WaitForAssertion(() => Assert.Contains("writing results", page.Find("[data-testid=progress-phase]").TextContent), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_disposed_subscription_hears_no_more_changes()
    {
        var notifier = new AnalysisNotifier { FallbackPollInterval = TimeSpan.FromHours(1) };
        Context.Services.AddSingleton(notifier);
        var calls = 0;
        using (notifier.Subscribe(_id, () => { Interlocked.Increment(ref calls); return Task.CompletedTask; }))
        {
            notifier.Publish(_id);
            notifier.Publish(Guid.NewGuid()); // another analysis: not this subscriber's business
        }
        notifier.Publish(_id);
        Assert.Equal(1, calls);
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
