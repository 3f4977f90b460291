using LayerLens.Data;
using LayerLens.Data.Model.Webhooks;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Configuration;
using LayerLens.Web.Jobs;
using LayerLens.Web.Security;
using LayerLens.Web.Tests.Crash;
using LayerLens.Web.Tests.Jobs;
using LayerLens.Web.Webhooks;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace LayerLens.Web.Tests.Webhooks;

/// <summary>
/// A delivery queued twice — by the finishing run and by the pending-delivery sweeper after a restart — is sent
/// once: the real delivery job, a real SQLite database and a real HTTP receiver on 127.0.0.1. The job client only
/// records what would be scheduled (no Hangfire server runs in this process).
/// </summary>
public sealed class WebhookAttemptClaimTests : IDisposable
{
    private readonly TestDatabase _database = new();
    private readonly string _data = Directory.CreateTempSubdirectory("layerlens-claim-data-").FullName;
    private readonly WebhookReceiver _receiver = new();
    private readonly RecordingJobClient _jobs = new();
    private readonly EphemeralDataProtectionProvider _protection = new();
    private readonly ResolvedSettings _settings;

    public WebhookAttemptClaimTests()
    {
        _settings = new ResolvedSettings(_data, DatabaseProvider.Sqlite, _database.ConnectionString, JobStorageProvider.Embedded, "", false)
        {
            AllowPrivateNetworkTargets = true,
            WebhookAttempts = 3,
        };
    }

    private SystemDbContextFactory System => _database.Provider.GetRequiredService<SystemDbContextFactory>();

    private WebhookDeliveryJob Job() => new(System, _protection, new NetworkTargetGuard(_settings), _jobs, _settings, NullLogger<WebhookDeliveryJob>.Instance);

    private PendingDeliverySweeper Sweeper() => new(System, _jobs, _settings, NullLogger<PendingDeliverySweeper>.Instance);

    private Guid AddDelivery(DateTime? createdAtUtc = null)
    {
        using var db = System.ForWorkspace(_database.WorkspaceId);
        var hook = new Webhook
        {
            WorkspaceId = _database.WorkspaceId,
            Url = _receiver.Url,
            Events = WebhookEvents.AnalysisSucceeded,
            ProtectedSecret = _protection.CreateProtector(WebhookService.SecretPurpose).Protect("s3cret"),
        };
        db.Webhooks.Add(hook);
        var delivery = new WebhookDelivery
        {
            WorkspaceId = _database.WorkspaceId,
            WebhookId = hook.Id,
            Event = WebhookEvents.AnalysisSucceeded,
            Payload = $"{{\"marker\":\"{Guid.NewGuid()}\"}}",
            CreatedAtUtc = createdAtUtc ?? DateTime.UtcNow,
        };
        db.WebhookDeliveries.Add(delivery);
        db.SaveChanges();
        return delivery.Id;
    }

    private int Received(Guid delivery) => _receiver.Received.Count(r => r.Delivery == delivery.ToString());

    [Fact]
    public async Task The_same_attempt_delivered_by_two_jobs_at_once_is_sent_once()
    {
        var delivery = AddDelivery();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Job().DeliverAsync(delivery, 1, CancellationToken.None))));
        Assert.Equal(1, Received(delivery));
        await using var db = System.CreateDbContext();
        Assert.Equal(WebhookDeliveryState.Delivered, (await db.WebhookDeliveries.SingleAsync(d => d.Id == delivery)).State);
        Assert.Single(await db.WebhookAttempts.Where(a => a.DeliveryId == delivery).ToListAsync());
    }

    [Fact]
    public async Task A_late_duplicate_job_of_an_attempt_that_already_failed_sends_nothing()
    {
        var delivery = AddDelivery();
        await using (var db = System.CreateDbContext())
        {
            // Attempt 1 went out and failed; attempt 2 is scheduled for later.
            db.WebhookAttempts.Add(new WebhookAttempt { DeliveryId = delivery, Number = 1, StatusCode = 500, Error = "HTTP 500" });
            await db.SaveChangesAsync();
        }
        await Job().DeliverAsync(delivery, 1, CancellationToken.None);
        Assert.Equal(0, Received(delivery));
    }

    [Fact]
    public async Task At_startup_the_sweeper_queues_a_pending_delivery_that_has_no_attempt_and_the_queued_job_sends_it_once()
    {
        var orphan = AddDelivery();
        await using (var db = System.CreateDbContext())
        {
            var done = AddDelivery();
            await db.WebhookDeliveries.Where(d => d.Id == done).ExecuteUpdateAsync(s => s.SetProperty(d => d.State, WebhookDeliveryState.Delivered));
        }
        Assert.Equal(1, await Sweeper().SweepAsync(atStartup: true, CancellationToken.None));
        Assert.Equal([orphan], _jobs.Enqueued);
        // The finishing run's own job and the sweeper's both run.
        await Job().DeliverAsync(orphan, 1, CancellationToken.None);
        await Job().DeliverAsync(orphan, 1, CancellationToken.None);
        Assert.Equal(1, Received(orphan));
    }

    [Fact]
    public async Task Periodically_a_fresh_delivery_is_left_to_its_own_job_and_an_old_one_is_queued()
    {
        AddDelivery();
        var old = AddDelivery(DateTime.UtcNow.AddMinutes(-5));
        Assert.Equal(1, await Sweeper().SweepAsync(atStartup: false, CancellationToken.None));
        Assert.Equal([old], _jobs.Enqueued);
    }

    [Fact]
    public async Task An_attempt_whose_process_died_while_sending_counts_as_interrupted_and_the_next_attempt_is_queued()
    {
        var delivery = AddDelivery(DateTime.UtcNow.AddHours(-1));
        await using (var db = System.CreateDbContext())
        {
            db.WebhookAttempts.Add(new WebhookAttempt { DeliveryId = delivery, Number = 1, AttemptedAtUtc = DateTime.UtcNow.AddHours(-1) });
            await db.SaveChangesAsync();
        }
        Assert.Equal(1, await Sweeper().SweepAsync(atStartup: true, CancellationToken.None));
        await using (var db = System.CreateDbContext())
        {
            Assert.Equal(PendingDeliverySweeper.InterruptedError, (await db.WebhookAttempts.SingleAsync(a => a.DeliveryId == delivery)).Error);
        }
        await Job().DeliverAsync(delivery, 2, CancellationToken.None);
        Assert.Equal(1, Received(delivery));
    }

    [Fact]
    public async Task A_delivery_whose_last_attempt_was_interrupted_with_no_attempts_left_fails_instead_of_sending_again()
    {
        var delivery = AddDelivery(DateTime.UtcNow.AddHours(-1));
        await using (var db = System.CreateDbContext())
        {
            db.WebhookAttempts.Add(new WebhookAttempt { DeliveryId = delivery, Number = 3, AttemptedAtUtc = DateTime.UtcNow.AddHours(-1) });
            await db.SaveChangesAsync();
        }
        Assert.Equal(0, await Sweeper().SweepAsync(atStartup: true, CancellationToken.None));
        await using var check = System.CreateDbContext();
        Assert.Equal(WebhookDeliveryState.Failed, (await check.WebhookDeliveries.SingleAsync(d => d.Id == delivery)).State);
    }

    public void Dispose()
    {
        _receiver.Dispose();
        _database.Dispose();
        Directory.Delete(_data, recursive: true);
    }
}
