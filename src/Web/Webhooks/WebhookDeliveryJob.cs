using System.Diagnostics;
using System.Globalization;
using System.Text;
using Hangfire;
using LayerLens.Data.Model.Webhooks;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Configuration;
using LayerLens.Web.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Webhooks;

/// <summary>
/// One attempt of one delivery, as a Hangfire job. A 2xx ends it; a network error or any other status
/// schedules the next attempt after base × 3^(n−1) until the attempts run out. Every attempt is logged, and
/// claimed (<see cref="WebhookAttemptClaim"/>) before it is sent, so a job queued twice sends once.
/// </summary>
public sealed class WebhookDeliveryJob(
    SystemDbContextFactory system,
    IDataProtectionProvider protection,
    NetworkTargetGuard guard,
    IBackgroundJobClient jobs,
    ResolvedSettings settings,
    ILogger<WebhookDeliveryJob> logger)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static void Enqueue(IBackgroundJobClient jobs, Guid deliveryId, int attempt = 1) =>
        jobs.Enqueue<WebhookDeliveryJob>(job => job.DeliverAsync(deliveryId, attempt, CancellationToken.None));

    /// <summary>How long one attempt may take: an attempt row older than this without an outcome lost its process.</summary>
    public static TimeSpan AttemptTimeout => Timeout;

    /// <summary>The wait before attempt <paramref name="next"/> (2, 3, …).</summary>
    public static TimeSpan Backoff(TimeSpan baseDelay, int next) => baseDelay * Math.Pow(3, next - 2);

    [AutomaticRetry(Attempts = 0)]
    public async Task DeliverAsync(Guid deliveryId, int attempt, CancellationToken cancellationToken)
    {
        await using var db = system.CreateDbContext();
        var delivery = await db.WebhookDeliveries.Include(d => d.Webhook).SingleOrDefaultAsync(d => d.Id == deliveryId, cancellationToken);
        if (delivery?.Webhook is null || delivery.State != WebhookDeliveryState.Pending)
        {
            return; // the webhook was deleted, or a duplicate job found it finished
        }
        // Claimed before anything is sent: a duplicate job of the same attempt (the sweeper's, say) stops here.
        var record = await WebhookAttemptClaim.TryClaimAsync(db, deliveryId, attempt, cancellationToken);
        if (record is null)
        {
            return;
        }
        var secret = protection.CreateProtector(WebhookService.SecretPurpose).Unprotect(delivery.Webhook.ProtectedSecret);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Webhook.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-LayerLens-Event", delivery.Event);
        request.Headers.Add("X-LayerLens-Delivery", delivery.Id.ToString());
        request.Headers.Add("X-LayerLens-Timestamp", timestamp);
        request.Headers.Add("X-LayerLens-Signature", WebhookSignature.Sign(secret, timestamp, delivery.Payload));
        request.Headers.UserAgent.ParseAdd("LayerLens-Webhook/1");

        var clock = Stopwatch.StartNew();
        try
        {
            using var handler = guard.CreateHandler(Timeout);
            using var http = new HttpClient(handler) { Timeout = Timeout };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            record.StatusCode = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                record.Error = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or TargetRefusedException)
        {
            record.Error = Clip((ex.InnerException as TargetRefusedException)?.Message ?? ex.Message);
        }
        record.DurationMilliseconds = clock.ElapsedMilliseconds;
        delivery.LastStatusCode = record.StatusCode;
        var delivered = record.Error is null;
        delivery.State = delivered ? WebhookDeliveryState.Delivered
            : attempt >= settings.WebhookAttempts ? WebhookDeliveryState.Failed
            : WebhookDeliveryState.Pending;
        await db.SaveChangesAsync(CancellationToken.None);
        if (delivery.State == WebhookDeliveryState.Pending)
        {
            var delay = Backoff(settings.WebhookRetryBase, attempt + 1);
            jobs.Schedule<WebhookDeliveryJob>(job => job.DeliverAsync(deliveryId, attempt + 1, CancellationToken.None), delay);
            if (logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation("Webhook delivery {Delivery} attempt {Attempt} failed ({Error}); next in {Delay}", deliveryId, attempt, record.Error, delay);
            }
        }
    }

    private static string Clip(string text) => text.Length > 2000 ? text[..2000] : text;
}
