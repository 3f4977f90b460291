using LayerLens.Data;
using LayerLens.Web.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Api;

/// <summary>API v1: <c>GET /api/v1/audit</c>, the workspace's audit log, newest first (owners' scope).</summary>
public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/audit", async (IDbContextFactory<AppDbContext> dbFactory, int? take, CancellationToken ct) =>
            {
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                var entries = await db.AuditEntries.AsNoTracking().OrderByDescending(a => a.AtUtc).Take(Math.Clamp(take ?? 100, 1, 1000))
                    .Select(a => new AuditResource(a.AtUtc, a.Actor, a.Action, a.Detail)).ToListAsync(ct);
                return Results.Ok(entries);
            })
            .WithTags("Audit").RequireAuthorization(ApiScopes.WebhooksManage)
            .WithSummary("Sign-ins, key creation and revocation, webhook, policy and member changes; never secrets");
        return app;
    }
}

public sealed record AuditResource(DateTime At, string Actor, string Action, string? Detail);
