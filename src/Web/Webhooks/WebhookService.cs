using System.Security.Cryptography;
using Hangfire;
using LayerLens.Data;
using LayerLens.Data.Model.Webhooks;
using LayerLens.Web.Audit;
using LayerLens.Web.Security;
using LayerLens.Web.Tenancy;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Webhooks;

/// <summary>The current workspace's webhook subscriptions, their delivery log and redelivery.</summary>
public sealed class WebhookService(
    IDbContextFactory<AppDbContext> dbFactory,
    NetworkTargetGuard guard,
    IDataProtectionProvider protection,
    IBackgroundJobClient jobs,
    AuditLog audit,
    WorkspaceAccess access)
{
    public const string SecretPurpose = "LayerLens.WebhookSecrets";

    /// <summary>Validates the URL against SSRF, the events and the secret (generated when missing; returned once).</summary>
    public async Task<(Webhook Hook, string Secret)> CreateAsync(string? url, IEnumerable<string>? events, string? secret, CancellationToken cancellationToken)
    {
        await access.RequireAsync(ApiScopes.WebhooksManage, cancellationToken);
        Uri target;
        try
        {
            target = await guard.CheckUrlAsync(url, cancellationToken);
        }
        catch (TargetRefusedException ex)
        {
            throw new ArgumentException($"url: {ex.Message}");
        }
        var list = (events ?? []).Select(e => e.Trim()).Where(e => e.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException($"events: name at least one of {string.Join(", ", WebhookEvents.All)}");
        }
        if (list.FirstOrDefault(e => !WebhookEvents.All.Contains(e)) is { } unknown)
        {
            throw new ArgumentException($"events: '{unknown}' is not one of {string.Join(", ", WebhookEvents.All)}");
        }
        if (secret is { Length: > 0 and < 16 } || secret?.Length > 512)
        {
            throw new ArgumentException("secret: use 16 to 512 characters (or leave it out and one is generated)");
        }
        secret = string.IsNullOrEmpty(secret) ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) : secret;
        var hook = new Webhook
        {
            Url = target.ToString(),
            Events = string.Join(' ', list),
            ProtectedSecret = protection.CreateProtector(SecretPurpose).Protect(secret),
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.Webhooks.Add(hook);
        await db.SaveChangesAsync(cancellationToken);
        await audit.WriteAsync("webhook.created", $"{hook.Url} [{hook.Events}]", cancellationToken);
        return (hook, secret);
    }

    public async Task<List<Webhook>> ListAsync(CancellationToken cancellationToken)
    {
        await access.RequireAsync(ApiScopes.WebhooksManage, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Webhooks.AsNoTracking().OrderBy(h => h.CreatedAtUtc).ToListAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        await access.RequireAsync(ApiScopes.WebhooksManage, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var hook = await db.Webhooks.SingleOrDefaultAsync(h => h.Id == id, cancellationToken);
        if (hook is null)
        {
            return false;
        }
        db.Webhooks.Remove(hook);
        await db.SaveChangesAsync(cancellationToken);
        await audit.WriteAsync("webhook.deleted", hook.Url, cancellationToken);
        return true;
    }

    /// <summary>Deliveries of one webhook, newest first, with their attempts; null when the webhook is not this workspace's.</summary>
    public async Task<List<WebhookDelivery>?> DeliveriesAsync(Guid webhookId, int take, CancellationToken cancellationToken)
    {
        await access.RequireAsync(ApiScopes.WebhooksManage, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Webhooks.AnyAsync(h => h.Id == webhookId, cancellationToken))
        {
            return null;
        }
        return await db.WebhookDeliveries.AsNoTracking().Include(d => d.Attempts)
            .Where(d => d.WebhookId == webhookId).OrderByDescending(d => d.CreatedAtUtc).Take(take).ToListAsync(cancellationToken);
    }

    /// <summary>Sends a delivery's body again as a new delivery (new id, fresh attempts).</summary>
    public async Task<WebhookDelivery?> RedeliverAsync(Guid deliveryId, CancellationToken cancellationToken)
    {
        await access.RequireAsync(ApiScopes.WebhooksManage, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var original = await db.WebhookDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.Id == deliveryId, cancellationToken);
        if (original is null)
        {
            return null;
        }
        var again = new WebhookDelivery
        {
            WebhookId = original.WebhookId,
            Event = original.Event,
            AnalysisId = original.AnalysisId,
            Payload = original.Payload,
        };
        db.WebhookDeliveries.Add(again);
        await db.SaveChangesAsync(cancellationToken);
        WebhookDeliveryJob.Enqueue(jobs, again.Id);
        await audit.WriteAsync("webhook.redelivered", $"delivery {original.Id} as {again.Id}", cancellationToken);
        return again;
    }
}
