using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using LayerLens.Web.Configuration;

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
                    config.UseSQLiteStorage(settings.JobStorageConnectionString);
                    break;
                case JobStorageProvider.PostgreSql:
                    config.UsePostgreSqlStorage(o => o.UseNpgsqlConnection(settings.JobStorageConnectionString));
                    break;
            }
        });
        services.AddHangfireServer(options => options.WorkerCount = Math.Max(2, Environment.ProcessorCount));
        return services;
    }
}
