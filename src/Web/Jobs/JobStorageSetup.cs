using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using LayerLens.Data.Blobs;
using LayerLens.Web.Configuration;
using LayerLens.Web.Hosting;
using LayerLens.Web.Jobs.Pipelines;
using LayerLens.Web.Storage;
using LayerLens.Web.Webhooks;

namespace LayerLens.Web.Jobs;

public static class JobStorageSetup
{
    /// <summary>Hangfire with the embedded SQLite storage, or PostgreSQL to share jobs across worker processes.</summary>
    public static IServiceCollection AddLayerLensJobs(this IServiceCollection services, ResolvedSettings settings)
    {
        services.AddHangfire(config =>
        {
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            switch (settings.JobStorage)
            {
                case JobStorageProvider.Embedded:
                    // Poll the queue often: an analysis should start within a second, not Hangfire's default 15 s.
                    config.UseSQLiteStorage(settings.JobStorageConnectionString, new SQLiteStorageOptions { QueuePollInterval = TimeSpan.FromMilliseconds(500) });
                    break;
                case JobStorageProvider.PostgreSql:
                    // A fetched job is invisible to other workers while its worker keeps it alive (sliding); a killed
                    // worker's job comes back after LayerLens:Jobs:InvisibilityTimeoutSeconds, not Hangfire's 30 min.
                    config.UsePostgreSqlStorage(
                        o => o.UseNpgsqlConnection(settings.JobStorageConnectionString),
                        new PostgreSqlStorageOptions
                        {
                            QueuePollInterval = TimeSpan.FromMilliseconds(500),
                            InvisibilityTimeout = settings.JobInvisibilityTimeout,
                            UseSlidingInvisibilityTimeout = true,
                        });
                    break;
            }
        });
        services.AddSingleton<JobCancellations>();
        services.AddSingleton<AnalysisNotifier>();
        services.AddSingleton(new BlobStore(settings.DataDirectory));
        services.AddSingleton<DataLayout>();
        services.AddArtifactStore(settings);
        services.AddSingleton<LayerLens.Web.LayerCache.SharedLayerCache>();
        services.AddTransient<AnalysisJob>();
        services.AddTransient<StoredReports>();
        services.AddTransient<LayerLens.Web.Baselines.BaselineComparer>();
        services.AddTransient<ImagePipeline>();
        services.AddTransient<ReviewPipeline>();
        services.AddScoped<AnalysisQueue>();
        services.AddSingleton<LayerLens.Web.Rebuilds.RebuildStore>();
        services.AddTransient<LayerLens.Web.Rebuilds.RebuildJob>();
        services.AddScoped<LayerLens.Web.Rebuilds.RebuildService>();
        services.AddSingleton<StaleRunRecovery>();
        services.AddSingleton<PendingDeliverySweeper>();
        if (settings.Role.RunsJobs())
        {
            services.AddJobServers(settings);
        }
        return services;
    }

    /// <summary>
    /// What runs jobs (role <c>all</c> or <c>worker</c>): the Hangfire servers and the periodic sweeps. A <c>web</c>
    /// process has only Hangfire's client, so it enqueues and never runs an analysis.
    /// </summary>
    private static void AddJobServers(this IServiceCollection services, ResolvedSettings settings)
    {
        // Scheduled work (webhook retries) is picked up within a second of its time.
        services.AddHangfireServer(options =>
        {
            options.WorkerCount = Math.Max(2, Environment.ProcessorCount);
            options.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            options.ShutdownTimeout = settings.JobShutdownTimeout;
        });
        // Analyses have their own server whose worker count is the concurrency limit; the rest wait queued.
        services.AddHangfireServer(options =>
        {
            options.ServerName = $"{Environment.MachineName}:analyses:{Environment.ProcessId}";
            options.Queues = [AnalysisJob.Queue];
            options.WorkerCount = settings.MaxConcurrentAnalyses;
            // SIGTERM cancels a running analysis's token; it hands the analysis back within this time (AnalysisJob).
            options.ShutdownTimeout = settings.JobShutdownTimeout;
        });
        // The host waits past Hangfire's shutdown timeout, so a stopping worker's hand-back is not cut short.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.JobShutdownTimeout + TimeSpan.FromSeconds(10));
        services.AddHostedService(sp => sp.GetRequiredService<StaleRunRecovery>());
        services.AddHostedService<BlobRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<PendingDeliverySweeper>());
    }
}
