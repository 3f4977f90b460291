using LayerLens.Data;
using LayerLens.Data.Model;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Configuration;
using LayerLens.Web.Jobs;
using LayerLens.Web.Webhooks;
using LayerLens.Web.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace LayerLens.Web.Tests.Jobs;

/// <summary>
/// Several app processes can share the database and job storage: a process that (re)starts requeues
/// only the runs whose heartbeat went stale, never one another process is still working on.
/// </summary>
public sealed class StaleRunRecoveryTests : IDisposable
{
    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(10);
    private readonly TestDatabase _database = new();
    private readonly string _data = Directory.CreateTempSubdirectory("layerlens-recovery-data-").FullName;
    private readonly RecordingJobClient _jobs = new();
    private readonly DataLayout _layout;
    private readonly StaleRunRecovery _recovery;

    public StaleRunRecoveryTests()
    {
        var settings = new ResolvedSettings(_data, DatabaseProvider.Sqlite, _database.ConnectionString, JobStorageProvider.Embedded, "", false)
        {
            HeartbeatStaleAfter = StaleAfter,
            MaxAttempts = 3,
            PublicBaseUrl = "http://layerlens.test", // links never ask the (absent) server for its address
        };
        _layout = new DataLayout(settings);
        var webhooks = new WebhookDispatcher(System, _jobs, new PublicLinks(settings, server: null!));
        _recovery = new StaleRunRecovery(System, _jobs, _layout, new LocalArtifactStore(new LayerLens.Data.Blobs.BlobStore(_data), _layout), settings, new AnalysisNotifier(), webhooks, NullLogger<StaleRunRecovery>.Instance);
    }

    private SystemDbContextFactory System => _database.Provider.GetRequiredService<SystemDbContextFactory>();

    private Analysis Add(AnalysisStatus status, TimeSpan? heartbeatAge, int attempts = 0)
    {
        using var db = System.ForWorkspace(_database.WorkspaceId);
        var analysis = new Analysis
        {
            SourceReference = $"app:{status}-{heartbeatAge}",
            Status = status,
            RunId = status == AnalysisStatus.Running ? Guid.NewGuid() : null,
            HeartbeatAtUtc = heartbeatAge is { } age ? DateTime.UtcNow - age : null,
            Attempts = attempts,
        };
        db.Analyses.Add(analysis);
        db.SaveChanges();
        if (analysis.RunId is { } run)
        {
            Directory.CreateDirectory(_layout.WorkDirectory(analysis.Id, run));
        }
        return analysis;
    }

    private Analysis Reload(Guid id)
    {
        using var db = System.CreateDbContext();
        return db.Analyses.AsNoTracking().Single(a => a.Id == id);
    }

    [Fact]
    public async Task A_restart_requeues_runs_with_a_stale_heartbeat_and_leaves_live_ones_of_other_processes_alone()
    {
        var live = Add(AnalysisStatus.Running, heartbeatAge: TimeSpan.FromSeconds(1));   // another process beats
        var dead = Add(AnalysisStatus.Running, heartbeatAge: TimeSpan.FromMinutes(2));    // its process died
        var queued = Add(AnalysisStatus.Queued, heartbeatAge: null);

        var recovered = await _recovery.RecoverAsync(requeueQueued: true, CancellationToken.None);

        Assert.Equal([dead.Id], recovered);
        var stillLive = Reload(live.Id);
        Assert.Equal((AnalysisStatus.Running, live.RunId), (stillLive.Status, stillLive.RunId));
        Assert.True(Directory.Exists(_layout.WorkDirectory(live.Id, live.RunId!.Value)), "another process's work directory is kept");
        var requeued = Reload(dead.Id);
        Assert.Equal(AnalysisStatus.Queued, requeued.Status);
        Assert.Null(requeued.RunId); // the dead run can never store a result now
        Assert.False(Directory.Exists(_layout.WorkDirectory(dead.Id, dead.RunId!.Value)), "the dead run's work directory is removed");
        Assert.Equal(new[] { dead.Id, queued.Id }.Order(), _jobs.Enqueued.Order());
    }

    [Fact]
    public async Task A_run_is_recovered_by_a_later_sweep_once_its_heartbeat_stops()
    {
        var running = Add(AnalysisStatus.Running, heartbeatAge: TimeSpan.Zero);
        Assert.Empty(await _recovery.RecoverAsync(requeueQueued: false, CancellationToken.None));
        Assert.Empty(_jobs.Enqueued);

        // Its process stops beating (killed): past the limit, the next sweep takes it back, once.
        await using (var db = System.CreateDbContext())
        {
            await db.Analyses.Where(a => a.Id == running.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.HeartbeatAtUtc, DateTime.UtcNow - StaleAfter - TimeSpan.FromSeconds(1)));
        }
        Assert.Equal([running.Id], await _recovery.RecoverAsync(requeueQueued: false, CancellationToken.None));
        Assert.Empty(await _recovery.RecoverAsync(requeueQueued: false, CancellationToken.None));
        Assert.Equal([running.Id], _jobs.Enqueued);
        Assert.Equal(AnalysisStatus.Queued, Reload(running.Id).Status);
    }

    [Fact]
    public async Task An_analysis_whose_process_died_on_its_last_attempt_fails_instead_of_being_requeued_again()
    {
        // Each claim counts an attempt; a run that lost its process on attempt 2 is retried, on attempt 3 (the limit) it ends.
        var second = Add(AnalysisStatus.Running, heartbeatAge: TimeSpan.FromMinutes(2), attempts: 2);
        var third = Add(AnalysisStatus.Running, heartbeatAge: TimeSpan.FromMinutes(2), attempts: 3);

        var recovered = await _recovery.RecoverAsync(requeueQueued: true, CancellationToken.None);

        Assert.Equal([second.Id], recovered);
        Assert.Equal(AnalysisStatus.Queued, Reload(second.Id).Status);
        var failed = Reload(third.Id);
        Assert.Equal(AnalysisStatus.Failed, failed.Status);
        Assert.Equal("stopped after 3 attempts: the analysis crashed or lost its process each time (LayerLens:Jobs:MaxAttempts)", failed.Error);
        Assert.DoesNotContain(third.Id, _jobs.Enqueued);
        Assert.False(Directory.Exists(_layout.WorkDirectory(third.Id, third.RunId!.Value)));
        // A second sweep finds nothing more to do: the failure happens once.
        Assert.Empty(await _recovery.RecoverAsync(requeueQueued: false, CancellationToken.None));
        Assert.Equal(AnalysisStatus.Failed, Reload(third.Id).Status);
    }

    public void Dispose()
    {
        _database.Dispose();
        Directory.Delete(_data, recursive: true);
    }
}
