using LayerLens.Data;
using LayerLens.Data.Model.Audit;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Audit;

/// <summary>Appends to the current workspace's audit log. Callers pass names and prefixes, never secrets.</summary>
public sealed class AuditLog(IDbContextFactory<AppDbContext> dbFactory, SystemDbContextFactory system, WorkspaceContext workspace)
{
    public async Task WriteAsync(string action, string? detail, CancellationToken cancellationToken = default)
    {
        if (workspace.WorkspaceId is null)
        {
            return;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.AuditEntries.Add(new AuditEntry { Actor = workspace.Actor, Action = action, Detail = Clip(detail) });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>For events outside a workspace's request (a sign-in): the workspace is named explicitly.</summary>
    public async Task WriteForAsync(Guid workspaceId, string actor, string action, string? detail, CancellationToken cancellationToken = default)
    {
        await using var db = system.ForWorkspace(workspaceId);
        db.AuditEntries.Add(new AuditEntry { WorkspaceId = workspaceId, Actor = actor, Action = action, Detail = Clip(detail) });
        await db.SaveChangesAsync(cancellationToken);
    }

    private static string? Clip(string? detail) => detail is { Length: > 2000 } ? detail[..2000] : detail;
}
