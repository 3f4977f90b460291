using LayerLens.Data;

namespace LayerLens.Web.Configuration;

/// <summary>Settings after defaults and paths are resolved once at start-up; shown on the Settings page.</summary>
public sealed record ResolvedSettings(
    string DataDirectory,
    DatabaseProvider DatabaseProvider,
    string DatabaseConnectionString,
    JobStorageProvider JobStorage,
    string JobStorageConnectionString,
    bool AllowRemoteJobDashboard)
{
    public int MaxConcurrentAnalyses { get; init; } = 2;

    public long MaxUploadBytes { get; init; } = 64L * 1024 * 1024 * 1024;

    public int BlobRetentionDays { get; init; } = 30;

    public bool AllowPrivateNetworkTargets { get; init; }

    public static ResolvedSettings From(IConfiguration configuration, IHostEnvironment environment)
    {
        var options = configuration.GetSection(LayerLensOptions.Section).Get<LayerLensOptions>() ?? new LayerLensOptions();
        var dataDirectory = Path.GetFullPath(options.DataDirectory, environment.ContentRootPath);
        Directory.CreateDirectory(dataDirectory);

        var configured = configuration.GetConnectionString("Default");
        string Require(string what) => !string.IsNullOrWhiteSpace(configured)
            ? configured
            : throw new InvalidOperationException($"{what} is PostgreSql but ConnectionStrings:Default (env ConnectionStrings__Default) is not set.");

        var dbConnection = options.DatabaseProvider == DatabaseProvider.PostgreSql
            ? Require("LayerLens:DatabaseProvider")
            : $"Data Source={Path.Combine(dataDirectory, "layerlens.db")}";
        var jobConnection = options.JobStorage == JobStorageProvider.PostgreSql
            ? Require("LayerLens:JobStorage")
            : Path.Combine(dataDirectory, "jobs.db");

        return new ResolvedSettings(dataDirectory, options.DatabaseProvider, dbConnection, options.JobStorage, jobConnection, options.AllowRemoteJobDashboard)
        {
            MaxConcurrentAnalyses = Math.Max(1, options.MaxConcurrentAnalyses),
            MaxUploadBytes = Math.Max(1, options.MaxUploadBytes),
            BlobRetentionDays = Math.Max(0, options.BlobRetentionDays),
            AllowPrivateNetworkTargets = options.AllowPrivateNetworkTargets
                || configuration.GetValue<bool>("LayerLens:Security:AllowPrivateNetworkTargets"),
        };
    }
}
