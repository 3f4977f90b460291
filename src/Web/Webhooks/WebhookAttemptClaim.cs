using LayerLens.Data;
using LayerLens.Data.Model.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Webhooks;

/// <summary>
/// Claims attempt n of a pending delivery before anything is sent: in one transaction the delivery row is locked
/// (a no-op update: PostgreSQL row lock; SQLite writers are serial), then the attempt row is inserted only when no
/// attempt numbered n or later exists. Two jobs for the same attempt — one queued after the finish, one queued by
/// <see cref="PendingDeliverySweeper"/> — so never both send: the second finds the first's row and does nothing.
/// An attempt row with neither a status nor an error is one in flight (or one whose process died while sending).
/// </summary>
public static class WebhookAttemptClaim
{
    public static async Task<WebhookAttempt?> TryClaimAsync(AppDbContext db, Guid deliveryId, int attempt, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var locked = await db.WebhookDeliveries
            .Where(d => d.Id == deliveryId && d.State == WebhookDeliveryState.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.State, d => d.State), cancellationToken);
        if (locked == 0 || await db.WebhookAttempts.AnyAsync(a => a.DeliveryId == deliveryId && a.Number >= attempt, cancellationToken))
        {
            return null;
        }
        var record = new WebhookAttempt { DeliveryId = deliveryId, Number = attempt };
        db.WebhookAttempts.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return record;
    }
}
