using LayerLens.Data;
using LayerLens.Data.Model.RegistryHooks;
using LayerLens.Web.Audit;
using LayerLens.Web.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.RegistryHooks;

/// <summary>
/// The current workspace's registry host mapping: a registry that notifies with its internal name
/// (<c>registry:5000</c>) is pulled from the host this server can reach (<c>registry.example.com</c>). The pull
/// still goes through the SSRF guard and the insecure-registry list, by the mapped host.
/// </summary>
public sealed class RegistryHostMappings(IDbContextFactory<AppDbContext> dbFactory, WorkspaceContext workspace, AuditLog audit, WorkspaceAccess access)
{
    public async Task<List<RegistryHostMapping>> ListAsync(CancellationToken cancellationToken = default)
    {
        await access.RequireAsync(ApiScopes.WebhooksManage, cancellationToken); // as GET /api/v1/registry-hosts
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.RegistryHostMappings.AsNoTracking().OrderBy(m => m.NotificationHost).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// The workspace's mappings, read once: a notification envelope carries many events and each resolves its
    /// host through this map. Lookups are case-insensitive; an unmapped host maps to itself. The unique index is
    /// case-sensitive, so legacy or hand-edited rows may differ only in case: one wins, the same one every time -
    /// the row already lower-cased as <see cref="Normalize"/> writes it, else the first by id - rather than every
    /// envelope failing.
    /// </summary>
    public async Task<Func<string, string>> LoadResolverAsync(CancellationToken cancellationToken = default)
    {
        await access.RequireAsync(ApiScopes.AnalysesWrite, cancellationToken); // only a push that may start analyses reads it
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.RegistryHostMappings.AsNoTracking().Select(m => new { m.Id, m.NotificationHost, m.PullHost }).ToListAsync(cancellationToken);
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in rows.OrderBy(r => !string.Equals(r.NotificationHost, r.NotificationHost.ToLowerInvariant(), StringComparison.Ordinal)).ThenBy(r => r.Id))
        {
            map.TryAdd(row.NotificationHost, row.PullHost);
        }
        return host => map.GetValueOrDefault(host, host);
    }

    /// <summary>Adds or replaces the mapping of one notification host.</summary>
    public async Task<RegistryHostMapping> SetAsync(string? notificationHost, string? pullHost, CancellationToken cancellationToken = default)
    {
        await access.RequireAsync(ApiScopes.WebhooksManage, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (mapping, _) = await UpsertAsync(db, workspace.WorkspaceId!.Value, notificationHost, pullHost, cancellationToken);
        await audit.WriteAsync("registry-host.mapped", $"{mapping.NotificationHost} → {mapping.PullHost}", cancellationToken);
        return mapping;
    }

    /// <summary>
    /// The one upsert of a mapping, for the API and for bootstrap configuration: both hosts normalised
    /// (<see cref="ArgumentException"/> when one is not host[:port]), the workspace's row for the notification host
    /// added or its pull host replaced, and saved. Changed is false when the row already said the same.
    /// </summary>
    public static async Task<(RegistryHostMapping Mapping, bool Changed)> UpsertAsync(AppDbContext db, Guid workspaceId,
        string? notificationHost, string? pullHost, CancellationToken cancellationToken = default)
    {
        var from = Normalize(notificationHost, "notification host");
        var to = Normalize(pullHost, "pull host");
        var mapping = await db.RegistryHostMappings.SingleOrDefaultAsync(m => m.WorkspaceId == workspaceId && m.NotificationHost == from, cancellationToken);
        if (mapping?.PullHost == to)
        {
            return (mapping, false);
        }
        if (mapping is null)
        {
            mapping = new RegistryHostMapping { WorkspaceId = workspaceId, NotificationHost = from, PullHost = to };
            db.RegistryHostMappings.Add(mapping);
        }
        else
        {
            mapping.PullHost = to;
        }
        await db.SaveChangesAsync(cancellationToken);
        return (mapping, true);
    }

    public async Task<bool> RemoveAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await access.RequireAsync(ApiScopes.WebhooksManage, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var mapping = await db.RegistryHostMappings.SingleOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (mapping is null)
        {
            return false;
        }
        db.RegistryHostMappings.Remove(mapping);
        await db.SaveChangesAsync(cancellationToken);
        await audit.WriteAsync("registry-host.unmapped", mapping.NotificationHost, cancellationToken);
        return true;
    }

    /// <summary><c>host[:port]</c>, lower-cased; anything with a scheme, path, user or query is refused.</summary>
    public static string Normalize(string? host, string what)
    {
        var text = host?.Trim() ?? "";
        if (text.Length is 0 or > 255 || !Uri.TryCreate("https://" + text, UriKind.Absolute, out var uri)
            || uri.Authority.Length == 0 || !string.Equals(uri.Authority, text, StringComparison.OrdinalIgnoreCase)
            || uri.PathAndQuery != "/" || uri.UserInfo.Length > 0)
        {
            throw new ArgumentException($"the {what} '{text}' is not host or host:port (e.g. registry.example.com:5000)");
        }
        return text.ToLowerInvariant();
    }

}
