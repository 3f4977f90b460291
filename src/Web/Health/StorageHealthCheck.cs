using LayerLens.Web.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LayerLens.Web.Health;

/// <summary>Healthy when the data directory (uploads, work directories, results) takes a write: a worker without it fails every job.</summary>
internal sealed class StorageHealthCheck(ResolvedSettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var probe = Path.Combine(settings.DataDirectory, $".healthz-{Guid.NewGuid():N}");
        try
        {
            await File.WriteAllBytesAsync(probe, [1], cancellationToken);
            File.Delete(probe);
            return HealthCheckResult.Healthy("The data directory is writable.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The description names no path: /healthz is unauthenticated.
            return HealthCheckResult.Unhealthy("The data directory does not take a write.", ex);
        }
    }
}
