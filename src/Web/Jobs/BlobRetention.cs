using LayerLens.Data;
using LayerLens.Data.Tenancy;
using LayerLens.Data.Blobs;
using LayerLens.Data.Model;
using LayerLens.Web.Configuration;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Jobs;

/// <summary>Hourly, deletes blobs unused for <c>LayerLens:BlobRetentionDays</c>, except those a queued or running analysis needs.</summary>
public sealed class BlobRetention(SystemDbContextFactory dbFactory, BlobStore blobs, ResolvedSettings settings, ILogger<BlobRetention> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.BlobRetentionDays == 0)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        do
        {
            await SweepAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var pending = await db.Analyses
            .Where(a => a.Status == AnalysisStatus.Queued || a.Status == AnalysisStatus.Running)
            .Select(a => new[] { a.InputDigest, a.DockerfileTextDigest, a.BuildContextDigest, a.BuildLogDigest, a.ChangeHistoryDigest })
            .ToListAsync(cancellationToken);
        var keep = pending.SelectMany(d => d).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var deleted = blobs.DeleteOlderThan(DateTime.UtcNow.AddDays(-settings.BlobRetentionDays), keep);
        if (deleted > 0 && logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Retention removed {Count} blobs", deleted);
        }
        return deleted;
    }
}
