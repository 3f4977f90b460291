using Hangfire;
using LayerLens.Data;
using LayerLens.Data.Model;
using LayerLens.Web.Limits;
using LayerLens.Web.Storage;
using LayerLens.Web.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Jobs;

/// <summary>
/// Starts, cancels, retries and deletes analyses of the current workspace; the pages and the API share it, and
/// each action checks analyses:write itself (<see cref="WorkspaceAccess"/>), whichever of them calls.
/// </summary>
public sealed class AnalysisQueue(
    IDbContextFactory<AppDbContext> dbFactory,
    IBackgroundJobClient jobs,
    JobCancellations cancellations,
    AnalysisNotifier notifier,
    IArtifactStore store,
    WorkspaceAccess access,
    WorkspaceQuotas quotas)
{
    public void Enqueue(Guid analysisId) => Enqueue(jobs, analysisId);

    public static void Enqueue(IBackgroundJobClient jobs, Guid analysisId) =>
        jobs.Enqueue<AnalysisJob>(AnalysisJob.Queue, job => job.RunAsync(analysisId, CancellationToken.None));

    /// <summary>A queued analysis is cancelled at once; a running one when its job notices.</summary>
    public async Task<bool> CancelAsync(Guid analysisId)
    {
        await access.RequireAsync(ApiScopes.AnalysesWrite);
        await using var db = await dbFactory.CreateDbContextAsync();
        var queued = await db.Analyses.Where(a => a.Id == analysisId && a.Status == AnalysisStatus.Queued)
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.Status, AnalysisStatus.Cancelled)
                .SetProperty(a => a.CancelRequested, true)
                .SetProperty(a => a.ProgressPhase, "cancelled")
                .SetProperty(a => a.FinishedAtUtc, DateTime.UtcNow));
        var running = await db.Analyses.Where(a => a.Id == analysisId && a.Status == AnalysisStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.CancelRequested, true));
        // The queries see only this workspace's rows: when they hit none, the id is another workspace's
        // (or nobody's), and its job must not be touched.
        if (queued + running == 0)
        {
            return false;
        }
        cancellations.Cancel(analysisId);
        notifier.Publish(analysisId);
        return true;
    }

    /// <summary>
    /// Failed or cancelled analyses go back to the queue with their progress reset, within the workspace's quotas
    /// (a retry starts an analysis as a new one does; <see cref="QuotaExceededException"/> otherwise).
    /// </summary>
    public async Task<bool> RetryAsync(Guid analysisId)
    {
        await access.RequireAsync(ApiScopes.AnalysesWrite);
        using var slot = await quotas.ReserveStartAsync(CancellationToken.None);
        await using var db = await dbFactory.CreateDbContextAsync();
        var reset = await db.Analyses
            .Where(a => a.Id == analysisId && (a.Status == AnalysisStatus.Failed || a.Status == AnalysisStatus.Cancelled))
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.Status, AnalysisStatus.Queued)
                .SetProperty(a => a.CancelRequested, false)
                .SetProperty(a => a.Attempts, 0) // a retry asked for by a person starts a fresh count of lost processes
                .SetProperty(a => a.Error, (string?)null)
                .SetProperty(a => a.ProgressPhase, "queued")
                .SetProperty(a => a.ProgressLayersDone, (int?)null)
                .SetProperty(a => a.ProgressLayerCount, (int?)null)
                .SetProperty(a => a.ProgressBytesRead, (long?)null)
                .SetProperty(a => a.ProgressTotalBytes, (long?)null)
                .SetProperty(a => a.StartedAtUtc, (DateTime?)null)
                .SetProperty(a => a.FinishedAtUtc, (DateTime?)null));
        if (reset > 0)
        {
            Enqueue(analysisId);
            notifier.Publish(analysisId);
        }
        return reset > 0;
    }

    /// <summary>Deletes the row and its results; a running job is cancelled first and finds nothing to store.</summary>
    public async Task<bool> DeleteAsync(Guid analysisId)
    {
        await access.RequireAsync(ApiScopes.AnalysesWrite);
        await using var db = await dbFactory.CreateDbContextAsync();
        // Only a row of this workspace is acted on: another workspace's job and results stay untouched.
        var row = await db.Analyses.AsNoTracking().Where(a => a.Id == analysisId).Select(a => new { a.WorkspaceId }).SingleOrDefaultAsync();
        if (row is null)
        {
            return false;
        }
        var inputs = await StoredInputs.OfAsync(db.Analyses.Where(a => a.Id == analysisId));
        cancellations.Cancel(analysisId);
        var deleted = await db.Analyses.Where(a => a.Id == analysisId).ExecuteDeleteAsync();
        if (deleted == 0)
        {
            return false;
        }
        await store.DropRunsAsync(row.WorkspaceId, analysisId, null, CancellationToken.None);
        if (store.Provider != StorageProvider.Local)
        {
            // The workspace's own copies of its inputs go with their last analysis (Local dedups across workspaces
            // and leaves them to blob retention, as before the store existed).
            var stillUsed = await StoredInputs.OfAsync(db.Analyses.Where(a => a.WorkspaceId == row.WorkspaceId));
            foreach (var digest in inputs.Except(stillUsed))
            {
                await store.DeleteBlobAsync(row.WorkspaceId, digest, CancellationToken.None);
            }
        }
        return deleted > 0;
    }
}
