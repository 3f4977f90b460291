using LayerLens.Data;
using LayerLens.Web.Hosting;
using LayerLens.Web.Storage;

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

    /// <summary>What this process does: UI and API, jobs, or both (<c>LayerLens:Role</c>).</summary>
    public ServerRole Role { get; init; } = ServerRole.All;

    public long MaxUploadBytes { get; init; } = 64L * 1024 * 1024 * 1024;

    public int BlobRetentionDays { get; init; } = 30;

    public bool AllowPrivateNetworkTargets { get; init; }

    /// <summary>Mark the sign-in and antiforgery cookies Secure always (behind a TLS-terminating proxy the request looks like HTTP).</summary>
    public bool RequireHttpsCookies { get; init; }

    /// <summary>Analyses one workspace may have queued or running at once (a workspace can set a lower one).</summary>
    public int MaxActiveAnalysesPerWorkspace { get; init; } = 20;

    /// <summary>API requests per key, and per workspace, in one rate-limit window.</summary>
    public int RequestsPerKey { get; init; } = 300;

    public int RequestsPerWorkspace { get; init; } = 600;

    public TimeSpan RateLimitWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Webhook retries: after attempt n the next waits base × 3^(n−1); 30 s and 6 attempts span about an hour.</summary>
    public TimeSpan WebhookRetryBase { get; init; } = TimeSpan.FromSeconds(30);

    public int WebhookAttempts { get; init; } = 6;

    /// <summary>A Running analysis whose job has not refreshed its heartbeat for this long lost its process and is requeued.</summary>
    public TimeSpan HeartbeatStaleAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Runs of one analysis that may lose their process (crash, kill) before it fails instead of being requeued.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>
    /// PostgreSQL job storage: a job a worker fetched and stopped keeping alive (its process died) is handed to
    /// another worker after this long. Live workers slide it, so a long analysis is never fetched twice.
    /// </summary>
    public TimeSpan JobInvisibilityTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a stopping worker (SIGTERM) waits for its running jobs to hand their analyses back.</summary>
    public TimeSpan JobShutdownTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Wall time one run of an analysis may take; past it the analysis fails.</summary>
    public TimeSpan JobDeadline { get; init; } = TimeSpan.FromMinutes(120);

    /// <summary>Bytes one workspace may keep (uploads, pulled layers, results); a workspace can set a lower one.</summary>
    public long MaxStorageBytesPerWorkspace { get; init; } = 200L * 1024 * 1024 * 1024;

    /// <summary>Analyses of one workspace that may run at once, so its queue cannot take every worker.</summary>
    public int MaxRunningAnalysesPerWorkspace { get; init; } = 1;

    /// <summary>How long a kept registry layer is served to the workspace and repository that downloaded it before the registry must serve it again.</summary>
    public TimeSpan KeptLayerGrantLifetime { get; init; } = KeptLayerGrants.DefaultLifetime;

    /// <summary>Registry hosts (host:port) reachable over plain HTTP.</summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    /// <summary>Whether analyses reuse the layer change sets earlier analyses stored (each workspace only for layers it was granted).</summary>
    public bool LayerCacheEnabled { get; init; } = true;

    /// <summary>Bound of the layer-result cache on disk; least recently used entries go past it.</summary>
    public long LayerCacheMaxBytes { get; init; } = DefaultLayerCacheMaxBytes;

    public const long DefaultLayerCacheMaxBytes = 20L * 1024 * 1024 * 1024;

    /// <summary>Where uploads and results are stored (<c>LayerLens:Storage:*</c>).</summary>
    public StorageSettings Storage { get; init; } = new();

    /// <summary>The public base URL for links in webhooks and reports (e.g. https://layerlens.example.com); the request's when empty.</summary>
    public string? PublicBaseUrl { get; init; }

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
            Role = ServerRoles.Parse(configuration.GetValue<string?>(ServerRoles.Setting)),
            MaxUploadBytes = Math.Max(1, options.MaxUploadBytes),
            BlobRetentionDays = Math.Max(0, options.BlobRetentionDays),
            AllowPrivateNetworkTargets = options.AllowPrivateNetworkTargets
                || configuration.GetValue<bool>("LayerLens:Security:AllowPrivateNetworkTargets"),
            RequireHttpsCookies = configuration.GetValue<bool>("LayerLens:Security:RequireHttpsCookies"),
            MaxActiveAnalysesPerWorkspace = Math.Max(1, configuration.GetValue("LayerLens:Quotas:MaxActiveAnalysesPerWorkspace", 20)),
            RequestsPerKey = Math.Max(1, configuration.GetValue("LayerLens:RateLimits:RequestsPerKey", 300)),
            RequestsPerWorkspace = Math.Max(1, configuration.GetValue("LayerLens:RateLimits:RequestsPerWorkspace", 600)),
            RateLimitWindow = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("LayerLens:RateLimits:WindowSeconds", 60))),
            WebhookRetryBase = TimeSpan.FromMilliseconds(Math.Max(1, configuration.GetValue("LayerLens:Webhooks:RetryBaseMilliseconds", 30_000))),
            WebhookAttempts = Math.Max(1, configuration.GetValue("LayerLens:Webhooks:Attempts", 6)),
            HeartbeatStaleAfter = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("LayerLens:Jobs:HeartbeatStaleSeconds", 30))),
            MaxAttempts = Math.Max(1, configuration.GetValue("LayerLens:Jobs:MaxAttempts", 3)),
            JobInvisibilityTimeout = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("LayerLens:Jobs:InvisibilityTimeoutSeconds", 300))),
            JobShutdownTimeout = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("LayerLens:Jobs:ShutdownTimeoutSeconds", 15))),
            JobDeadline = TimeSpan.FromMinutes(Math.Max(0.01, configuration.GetValue("LayerLens:Jobs:DeadlineMinutes", 120.0))),
            MaxStorageBytesPerWorkspace = Math.Max(1, configuration.GetValue("LayerLens:Quotas:MaxStorageBytesPerWorkspace", 200L * 1024 * 1024 * 1024)),
            // Half the workers by default (1 of the default 2): other workspaces always find one free.
            MaxRunningAnalysesPerWorkspace = Math.Max(1, configuration.GetValue("LayerLens:Quotas:MaxRunningAnalysesPerWorkspace",
                (Math.Max(1, options.MaxConcurrentAnalyses) + 1) / 2)),
            KeptLayerGrantLifetime = TimeSpan.FromDays(Math.Max(0.0001, configuration.GetValue("LayerLens:Registries:GrantDays", KeptLayerGrants.DefaultLifetime.TotalDays))),
            InsecureRegistries = configuration.GetSection("LayerLens:Registries:Insecure").Get<string[]>() ?? [],
            LayerCacheEnabled = configuration.GetValue("LayerLens:Cache:Enabled", true),
            LayerCacheMaxBytes = Math.Max(1, configuration.GetValue("LayerLens:Cache:MaxBytes", DefaultLayerCacheMaxBytes)),
            PublicBaseUrl = configuration.GetValue<string?>("LayerLens:PublicBaseUrl"),
            Storage = StorageSettings.From(configuration),
        };
    }
}
