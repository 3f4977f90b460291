using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using LayerLens.Web.Configuration;
using LayerLens.Web.Hosting;

namespace LayerLens.Web.Health;

public static class HealthEndpoint
{
    /// <summary>
    /// What this role depends on: every role its database and job storage (a web node enqueues, a worker dequeues);
    /// a process that runs jobs also its data directory, where jobs read uploads and write results.
    /// </summary>
    public static IServiceCollection AddLayerLensHealthChecks(this IServiceCollection services, ServerRole role = ServerRole.All)
    {
        var checks = services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database")
            .AddCheck<JobStorageHealthCheck>("jobs");
        if (role.RunsJobs())
        {
            checks.AddCheck<StorageHealthCheck>("storage");
        }
        return services;
    }

    /// <summary>200 when every check is healthy, 503 otherwise; the body names each check's state.</summary>
    public static void MapLayerLensHealth(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = WriteAsync });

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            role = context.RequestServices.GetRequiredService<ResolvedSettings>().Role.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
