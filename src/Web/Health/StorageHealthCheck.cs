using LayerLens.Web.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LayerLens.Web.Health;

/// <summary>
/// Healthy when the configured store (<c>LayerLens:Storage:Provider</c>) takes a write and gives it back: the data
/// directory for Local, the shared registry for Registry. A worker without it fails every job.
/// </summary>
internal sealed class StorageHealthCheck(IArtifactStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // The descriptions name no path, host or credential: /healthz is unauthenticated.
        var problem = await store.ProbeAsync(cancellationToken);
        return problem is null
            ? HealthCheckResult.Healthy($"The {store.Provider} store answers.")
            : HealthCheckResult.Unhealthy($"The {store.Provider} store: {problem}.");
    }
}
