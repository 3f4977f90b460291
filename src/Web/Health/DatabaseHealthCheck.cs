using LayerLens.Data;
using LayerLens.Data.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LayerLens.Web.Health;

/// <summary>Healthy when the database accepts a connection and the schema is queryable.</summary>
internal sealed class DatabaseHealthCheck(SystemDbContextFactory factory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            var count = await db.Projects.CountAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{count} project(s).");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("Database does not answer.", ex);
        }
    }
}
