using Hangfire;
using LayerLens.Data.Tenancy;
using LayerLens.Data.Model;
using LayerLens.Web.Configuration;
using LayerLens.Web.Storage;
using LayerLens.Web.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Jobs;

/// <summary>
/// Gives analyses whose process died back to the queue. A running job refreshes its heartbeat a few
/// times a second, so a Running analysis with a stale heartbeat lost its process — this one before a
/// restart, or another one sharing the PostgreSQL job storage — while a fresh heartbeat means some
/// process still works on it and it is left alone. Runs at start-up (which also re-enqueues every
/// Queued analysis) and then periodically. A job Hangfire still delivers later finds the row
/// claimed or done: a run never produces two results. An analysis whose runs lost their process
/// <c>LayerLens:Jobs:MaxAttempts</c> times (an input that crashes the process, say) fails instead of
/// looping, with its webhooks recorded in the same transaction as that update.
/// </summary>
public sealed class StaleRunRecovery(
    SystemDbContextFactory dbFactory,
    IBackgroundJobClient jobs,
    DataLayout layout,
    IArtifactStore store,
    ResolvedSettings settings,
    AnalysisNotifier notifier,
    WebhookDispatcher webhooks,
    ILogger<StaleRunRecovery> logger) : BackgroundService
{
    private TimeSpan StaleAfter => settings.HeartbeatStaleAfter;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await RecoverAsync(requeueQueued: true, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, StaleAfter.Ticks / 3)));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RecoverAsync(requeueQueued: false, stoppingToken);
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or IOException)
            {
                logger.LogWarning(ex, "Stale-run recovery failed; trying again later");
            }
        }
    }

    /// <summary>Requeues Running analyses whose heartbeat is older than the stale limit; returns their ids.</summary>
    public async Task<IReadOnlyList<Guid>> RecoverAsync(bool requeueQueued, CancellationToken cancellationToken)
    {
        var staleBefore = DateTime.UtcNow - StaleAfter;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stale = await db.Analyses
            .Where(a => a.Status == AnalysisStatus.Running && (a.HeartbeatAtUtc == null || a.HeartbeatAtUtc < staleBefore))
            .Select(a => new { a.Id, a.RunId, a.Attempts })
            .ToListAsync(cancellationToken);
        var recovered = new List<Guid>();
        foreach (var run in stale)
        {
            bool ended;
            if (run.Attempts >= settings.MaxAttempts)
            {
                ended = await GiveUpAsync(db, run.Id, run.RunId, run.Attempts, staleBefore, cancellationToken);
            }
            // Conditional on the same run and a still-stale heartbeat: a run that just beat keeps its claim.
            else if (await db.Analyses
                .Where(a => a.Id == run.Id && a.RunId == run.RunId && a.Status == AnalysisStatus.Running
                    && (a.HeartbeatAtUtc == null || a.HeartbeatAtUtc < staleBefore))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(a => a.Status, AnalysisStatus.Queued)
                    .SetProperty(a => a.RunId, (Guid?)null)
                    .SetProperty(a => a.HeartbeatAtUtc, (DateTime?)null)
                    .SetProperty(a => a.ProgressPhase, "queued (recovered: its process stopped)"), cancellationToken) > 0)
            {
                recovered.Add(run.Id);
                ended = true;
            }
            else
            {
                ended = false;
            }
            if (ended && run.RunId is { } runId)
            {
                TryDelete(layout.WorkDirectory(run.Id, runId));
            }
        }

        var enqueue = requeueQueued
            ? await db.Analyses.Where(a => a.Status == AnalysisStatus.Queued).Select(a => a.Id).ToListAsync(cancellationToken)
            : recovered;
        foreach (var id in enqueue)
        {
            AnalysisQueue.Enqueue(jobs, id);
        }
        foreach (var id in recovered)
        {
            notifier.Publish(id);
        }
        if (requeueQueued)
        {
            await RemoveAbandonedWorkDirectoriesAsync(db, staleBefore, cancellationToken);
        }
        if (enqueue.Count > 0 && logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Re-enqueued {Count} analyses ({Recovered} whose process stopped)", enqueue.Count, recovered.Count);
        }
        return recovered;
    }

    private async Task DropResultsAsync(Guid analysisId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var workspaceId = await db.Analyses.Where(a => a.Id == analysisId).Select(a => (Guid?)a.WorkspaceId).SingleOrDefaultAsync(cancellationToken);
        try
        {
            if (workspaceId is { } workspace)
            {
                await store.DropRunsAsync(workspace, analysisId, null, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            logger.LogWarning(ex, "Could not remove the results of analysis {Id}", analysisId);
        }
    }

    /// <summary>The message of an analysis stopped by <c>LayerLens:Jobs:MaxAttempts</c>.</summary>
    public static string AttemptsMessage(int attempts) =>
        $"stopped after {attempts} attempts: the analysis crashed or lost its process each time (LayerLens:Jobs:MaxAttempts)";

    /// <summary>Fails a stale run that used its last attempt; the update and its webhooks commit together.</summary>
    private async Task<bool> GiveUpAsync(Data.AppDbContext db, Guid analysisId, Guid? runId, int attempts, DateTime staleBefore, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var failed = await db.Analyses
            .Where(a => a.Id == analysisId && a.RunId == runId && a.Status == AnalysisStatus.Running
                && (a.HeartbeatAtUtc == null || a.HeartbeatAtUtc < staleBefore))
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.Status, AnalysisStatus.Failed)
                .SetProperty(a => a.Error, AttemptsMessage(attempts))
                .SetProperty(a => a.ProgressPhase, "failed")
                .SetProperty(a => a.FinishedAtUtc, DateTime.UtcNow), cancellationToken);
        IReadOnlyList<Guid> deliveries = failed > 0 ? await webhooks.RecordAsync(db, analysisId, cancellationToken) : [];
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        if (failed > 0)
        {
            webhooks.Enqueue(deliveries);
            notifier.Publish(analysisId);
            await DropResultsAsync(analysisId, cancellationToken); // results a run published before its process died
            logger.LogWarning("Analysis {Id} failed: {Message}", analysisId, AttemptsMessage(attempts));
        }
        return failed > 0;
    }

    /// <summary>
    /// Work directories no live run owns (left by a crash): a directory of a Running analysis's
    /// current run, or one touched recently, may belong to another process and is kept.
    /// </summary>
    private async Task RemoveAbandonedWorkDirectoriesAsync(Data.AppDbContext db, DateTime staleBefore, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(layout.WorkRoot))
        {
            return;
        }
        var live = (await db.Analyses.Where(a => a.Status == AnalysisStatus.Running && a.RunId != null)
                .Select(a => new { a.Id, a.RunId }).ToListAsync(cancellationToken))
            .Select(r => Path.GetFileName(layout.WorkDirectory(r.Id, r.RunId!.Value)))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var directory in Directory.EnumerateDirectories(layout.WorkRoot))
        {
            if (!live.Contains(Path.GetFileName(directory)) && Directory.GetLastWriteTimeUtc(directory) < staleBefore)
            {
                TryDelete(directory);
            }
        }
    }

    private void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException ex)
        {
            logger.LogWarning(ex, "Could not remove the work directory {Directory}", directory);
        }
    }
}
