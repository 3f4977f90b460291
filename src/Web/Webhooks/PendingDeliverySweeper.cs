using Hangfire;
using LayerLens.Data.Model.Webhooks;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Configuration;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Webhooks;

/// <summary>
/// Finds pending deliveries that no job will ever send — recorded with their analysis's result, but the process
/// died before it queued them (or before it scheduled the next attempt) — and queues their next attempt once it
/// is due. Runs at start-up and every <see cref="Interval"/>. Queuing a delivery that still has a live job is
/// harmless: every attempt is claimed before it is sent (<see cref="WebhookAttemptClaim"/>), so it goes out once.
/// An attempt whose process died while sending (claimed, no outcome, older than the attempt timeout) is recorded
/// as interrupted and counts as an attempt; the next one carries the same X-LayerLens-Delivery id, so a receiver
/// that did get the interrupted one can tell.
/// </summary>
public sealed class PendingDeliverySweeper(
    SystemDbContextFactory system,
    IBackgroundJobClient jobs,
    ResolvedSettings settings,
    ILogger<PendingDeliverySweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    /// <summary>A delivery younger than this, or an attempt due less long ago, still has its own job on the way.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    public const string InterruptedError = "interrupted: the process stopped during this attempt (the receiver may have got it)";

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await SweepAsync(atStartup: true, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(atStartup: false, stoppingToken);
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException)
            {
                logger.LogWarning(ex, "The pending webhook sweep failed; trying again later");
            }
        }
    }

    /// <summary>
    /// Queues the next attempt of each pending delivery that is due and returns how many. At start-up a delivery
    /// without attempts is queued at once: the process that recorded it may have died before queuing it.
    /// </summary>
    public async Task<int> SweepAsync(bool atStartup, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        await using var db = system.CreateDbContext();
        var pending = await db.WebhookDeliveries
            .Where(d => d.State == WebhookDeliveryState.Pending)
            .Select(d => new
            {
                d.Id,
                d.CreatedAtUtc,
                Last = d.Attempts.OrderByDescending(a => a.Number).Select(a => new { a.Id, a.Number, a.AttemptedAtUtc, a.StatusCode, a.Error }).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        var queued = 0;
        foreach (var delivery in pending)
        {
            int next;
            DateTime due;
            if (delivery.Last is null)
            {
                (next, due) = (1, atStartup ? now : delivery.CreatedAtUtc + Grace);
            }
            else if (delivery.Last.StatusCode is null && delivery.Last.Error is null)
            {
                if (delivery.Last.AttemptedAtUtc > now - WebhookDeliveryJob.AttemptTimeout - Grace)
                {
                    continue; // in flight
                }
                await db.WebhookAttempts.Where(a => a.Id == delivery.Last.Id && a.StatusCode == null && a.Error == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.Error, InterruptedError), cancellationToken);
                (next, due) = (delivery.Last.Number + 1, delivery.Last.AttemptedAtUtc + WebhookDeliveryJob.Backoff(settings.WebhookRetryBase, delivery.Last.Number + 1));
            }
            else
            {
                // The attempt failed; its job scheduled the next one unless the process died first.
                (next, due) = (delivery.Last.Number + 1, delivery.Last.AttemptedAtUtc + WebhookDeliveryJob.Backoff(settings.WebhookRetryBase, delivery.Last.Number + 1) + Grace);
            }
            if (next > settings.WebhookAttempts)
            {
                await db.WebhookDeliveries.Where(d => d.Id == delivery.Id && d.State == WebhookDeliveryState.Pending)
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.State, WebhookDeliveryState.Failed), cancellationToken);
                continue;
            }
            if (due <= now)
            {
                WebhookDeliveryJob.Enqueue(jobs, delivery.Id, next);
                queued++;
            }
        }
        if (queued > 0 && logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Queued {Count} pending webhook deliveries that had no job on the way", queued);
        }
        return queued;
    }
}
