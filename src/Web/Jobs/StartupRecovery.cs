using Hangfire;
using LayerLens.Data;
using LayerLens.Data.Tenancy;
using LayerLens.Data.Model;
using LayerLens.Web.Storage;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Jobs;

/// <summary>
/// At start-up, analyses a crash left Running go back to Queued and every Queued analysis is
/// enqueued again. A job Hangfire itself still holds then finds the row already claimed or done.
/// (With several processes on shared PostgreSQL job storage, only one should run this: the embedded
/// default has one process.)
/// </summary>
public sealed class StartupRecovery(SystemDbContextFactory dbFactory, IBackgroundJobClient jobs, DataLayout layout, ILogger<StartupRecovery> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Work directories of runs a crash interrupted: no run of this process exists yet.
        if (Directory.Exists(layout.WorkRoot))
        {
            foreach (var stale in Directory.EnumerateDirectories(layout.WorkRoot))
            {
                Directory.Delete(stale, recursive: true);
            }
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var interrupted = await db.Analyses.Where(a => a.Status == AnalysisStatus.Running)
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.Status, AnalysisStatus.Queued)
                .SetProperty(a => a.RunId, (Guid?)null)
                .SetProperty(a => a.ProgressPhase, "queued (recovered after a restart)"), cancellationToken);
        var queued = await db.Analyses.Where(a => a.Status == AnalysisStatus.Queued).Select(a => a.Id).ToListAsync(cancellationToken);
        foreach (var id in queued)
        {
            AnalysisQueue.Enqueue(jobs, id);
        }
        if (queued.Count > 0 && logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Re-enqueued {Count} analyses ({Interrupted} interrupted while running)", queued.Count, interrupted);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
