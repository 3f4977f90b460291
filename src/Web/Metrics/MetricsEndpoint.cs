using LayerLens.Data.Model;
using LayerLens.Data.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Metrics;

public static class MetricsEndpoint
{
    public static IServiceCollection AddLayerLensMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<LayerLensMetrics>();
        services.AddSingleton(MetricsAccess.From(configuration));
        return services;
    }

    /// <summary>Prometheus text format at /metrics, for whoever <see cref="MetricsAccess"/> lets in.</summary>
    public static void MapLayerLensMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/metrics", async (HttpContext context, LayerLensMetrics metrics, MetricsAccess access, SystemDbContextFactory dbFactory) =>
        {
            var status = access.StatusFor(context);
            if (status != StatusCodes.Status200OK)
            {
                context.Response.StatusCode = status;
                return;
            }
            await using (var db = await dbFactory.CreateDbContextAsync(context.RequestAborted))
            {
                metrics.QueueDepth.Set(await db.Analyses.CountAsync(a => a.Status == AnalysisStatus.Queued, context.RequestAborted));
            }
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        }).ExcludeFromDescription();
}
