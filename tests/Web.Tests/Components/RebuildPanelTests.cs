using Bunit;
using Hangfire;
using LayerLens.Data;
using LayerLens.Data.Model;
using LayerLens.Data.Model.Workspaces;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Components.Analysis;
using LayerLens.Web.Configuration;
using LayerLens.Web.Jobs;
using LayerLens.Web.Rebuilds;
using LayerLens.Web.Storage;
using LayerLens.Web.Tenancy;
using LayerLens.Web.Tests.Jobs;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LayerLens.Web.Tests.Components;

/// <summary>
/// The analysis page's Rebuild panel: the button queues the job through the same service as the API (scope checked
/// there), and a finished rebuild shows its report and the download. Hangfire is replaced by a recording client: the
/// job itself runs in RebuildApiTests through the real app.
/// </summary>
public sealed class RebuildPanelTests : MudComponentTest, IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("layerlens-rebuild-panel-").FullName;
    private readonly RecordingJobClient _jobs = new();
    private readonly Analysis _analysis;
    private readonly RebuildStore _store;

    public RebuildPanelTests()
    {
        using (var db = System.ForWorkspace(Database.WorkspaceId))
        {
            _analysis = new Analysis { SourceReference = "registry.local/app:1", Status = AnalysisStatus.Succeeded, Kind = AnalysisKind.Image };
            db.Analyses.Add(_analysis);
            db.SaveChanges();
        }
        var settings = new ResolvedSettings(_data, DatabaseProvider.Sqlite, Database.ConnectionString, JobStorageProvider.Embedded, "", false);
        var layout = new DataLayout(settings);
        _store = new RebuildStore(layout);
        Context.Services.AddSingleton(layout);
        Context.Services.AddSingleton(settings);
        Context.Services.AddSingleton(_store);
        Context.Services.AddSingleton(new LayerLens.Data.Blobs.BlobStore(_data));
        Context.Services.AddSingleton<LayerLens.Web.Storage.IArtifactStore, LayerLens.Web.Storage.LocalArtifactStore>();
        Context.Services.AddSingleton<LayerLens.Web.Limits.WorkspaceQuotas>();
        Context.Services.AddSingleton<IBackgroundJobClient>(_jobs);
        Context.Services.AddSingleton<JobCancellations>();
        Context.Services.AddSingleton(System);
        Context.Services.AddSingleton<WorkspaceAccess>();
        Context.Services.AddSingleton<RebuildService>();
    }

    private SystemDbContextFactory System => Database.Provider.GetRequiredService<SystemDbContextFactory>();

    private void SignIn(WorkspaceRole role)
    {
        var member = new WorkspaceContext();
        member.Set(Database.WorkspaceId, $"{role}@layerlens.test", ApiScopes.ForRole(role));
        Context.Services.AddSingleton(member);
    }

    [Fact]
    public void A_member_starts_a_rebuild_and_sees_it_queued()
    {
        SignIn(WorkspaceRole.Member);
        var panel = Context.Render<RebuildPanel>(p => p.Add(c => c.Analysis, _analysis));
        panel.Find("[data-testid=rebuild-start]").Click();
        panel.WaitForAssertion(() => Assert.Contains("queued", panel.Find("[data-testid=rebuild-phase]").TextContent));
        Assert.Equal([_analysis.Id], _jobs.Enqueued);
        Assert.Equal(RebuildState.Queued, _store.Read(_analysis.Id)?.Status);
    }

    [Fact]
    public void A_viewer_cannot_start_a_rebuild()
    {
        SignIn(WorkspaceRole.Viewer);
        var panel = Context.Render<RebuildPanel>(p => p.Add(c => c.Analysis, _analysis));
        panel.Find("[data-testid=rebuild-start]").Click();
        Assert.Empty(_jobs.Enqueued);
        Assert.Null(_store.Read(_analysis.Id));
        Assert.NotNull(panel.Find("[data-testid=rebuild-start]"));
    }

    [Fact]
    public void A_finished_rebuild_shows_its_report_and_the_download()
    {
        SignIn(WorkspaceRole.Member);
        Directory.CreateDirectory(_store.Directory(_analysis.Id));
        _store.Write(_analysis.Id, new RebuildState
        {
            Status = RebuildState.Succeeded,
            Phase = "done",
            Options = new RebuildOptions(),
            ArchiveBytes = 2_000,
            Report = new RebuildReport("sha256:ab", [new LayerLens.Analyzer.Rebuild.KeptLayer(0, "sha256:cd")], ["layer 0 kept (sha256:cd): ships no bytes a later layer made dead"],
                3, 3, 4_395, 2_265, 3_000, 1_900, 2_000, 0, 2_265, 11, 1_200, 17),
        });
        var panel = Context.Render<RebuildPanel>(p => p.Add(c => c.Analysis, _analysis));
        Assert.Equal($"/api/v1/analyses/{_analysis.Id}/rebuild/download", panel.Find("[data-testid=rebuild-download]").GetAttribute("href"));
        Assert.EndsWith("0 B", panel.Find("[data-testid=rebuild-dead-after]").TextContent.Trim(), StringComparison.Ordinal);
        Assert.Contains("layer 0 kept", panel.Markup);
    }

    [Fact]
    public async Task A_rebuild_larger_than_the_storage_quota_left_is_refused_before_anything_is_written()
    {
        SignIn(WorkspaceRole.Member);
        await using (var db = System.CreateDbContext())
        {
            db.Add(new ImageResult { AnalysisId = _analysis.Id, CompressedSizeBytes = 5_000 });
            await db.Workspaces.Where(w => w.Id == Database.WorkspaceId).ExecuteUpdateAsync(s => s.SetProperty(w => w.MaxStorageBytes, 4_000));
            await db.SaveChangesAsync();
        }
        var rebuilds = Context.Services.GetRequiredService<RebuildService>();
        var analysis = await rebuilds.FindAsync(_analysis.Id, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<RebuildStartRefusedException>(() => rebuilds.StartAsync(analysis!, new RebuildOptions(), CancellationToken.None));
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, refused.Status);
        Assert.Contains("5,000 bytes", refused.Message, StringComparison.Ordinal);
        Assert.Empty(_jobs.Enqueued);
        Assert.False(Directory.Exists(_store.Directory(_analysis.Id)));
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
