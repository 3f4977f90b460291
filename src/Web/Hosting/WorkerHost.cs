using LayerLens.Web.Health;
using LayerLens.Web.Metrics;

namespace LayerLens.Web.Hosting;

public static class WorkerHost
{
    /// <summary>
    /// A worker serves /healthz and /metrics and nothing else (no UI, API or job dashboard: every other path is 404);
    /// its Hangfire servers and sweeps, registered by AddLayerLensJobs, do the work.
    /// </summary>
    public static Task RunWorkerAsync(this WebApplication app)
    {
        if (app.Logger.IsEnabled(LogLevel.Information))
        {
            app.Logger.LogInformation("LayerLens:Role is worker: running jobs, serving only /healthz and /metrics");
        }
        app.MapLayerLensHealth();
        app.MapLayerLensMetrics();
        return app.RunAsync();
    }
}
