using LayerLens.Data;
using LayerLens.Data.Tenancy;
using LayerLens.Data.Blobs;
using LayerLens.Data.Model;
using LayerLens.Web.Configuration;
using LayerLens.Web.Storage;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Jobs;

/// <summary>
/// Hourly, deletes blobs unused for <c>LayerLens:BlobRetentionDays</c> (0 keeps them), except those a queued or
/// running analysis needs; then removes kept-layer grants that expired (<c>LayerLens:Registries:GrantDays</c>) or
/// whose blob is gone, so no grant outlives its lifetime or the bytes it was for.
/// </summary>
public sealed class BlobRetention(SystemDbContextFactory dbFactory, BlobStore blobs, ResolvedSettings settings, ILogger<BlobRetention> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (IOException ex)
            {
                logger.LogWarning(ex, "Retention failed; trying again in an hour");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Returns how many blobs went (grants are counted in the log).</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var deleted = 0;
        if (settings.BlobRetentionDays > 0)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var pending = await db.Analyses
                .Where(a => a.Status == AnalysisStatus.Queued || a.Status == AnalysisStatus.Running)
                .Select(a => new[] { a.InputDigest, a.DockerfileTextDigest, a.BuildContextDigest, a.BuildLogDigest, a.ChangeHistoryDigest })
                .ToListAsync(cancellationToken);
            var keep = pending.SelectMany(d => d).OfType<string>().ToHashSet(StringComparer.Ordinal);
            deleted = blobs.DeleteOlderThan(DateTime.UtcNow.AddDays(-settings.BlobRetentionDays), keep);
        }
        var grants = new KeptLayerGrants(settings.DataDirectory, settings.KeptLayerGrantLifetime).Sweep(blobs.Exists);
        if ((deleted > 0 || grants > 0) && logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Retention removed {Count} blobs and {Grants} kept-layer grants", deleted, grants);
        }
        return deleted;
    }
}
