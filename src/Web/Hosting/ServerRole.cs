namespace LayerLens.Web.Hosting;

/// <summary>
/// What one process of the same build does, chosen by <c>LayerLens:Role</c>: <see cref="All"/> (the embedded
/// default), <see cref="Web"/> (UI and API; enqueues jobs but runs none, so it never decompresses a layer) or
/// <see cref="Worker"/> (the Hangfire servers and periodic sweeps; serves only /healthz and /metrics).
/// </summary>
public enum ServerRole
{
    All = 0,
    Web = 1,
    Worker = 2,
}

public static class ServerRoles
{
    public const string Setting = "LayerLens:Role";

    /// <summary>The configured role; empty means <see cref="ServerRole.All"/>. Anything else stops the start with a message naming the setting.</summary>
    public static ServerRole Parse(string? configured) => configured?.Trim().ToLowerInvariant() switch
    {
        null or "" or "all" => ServerRole.All,
        "web" => ServerRole.Web,
        "worker" => ServerRole.Worker,
        _ => throw new InvalidOperationException(
            $"{Setting} (env LayerLens__Role) is '{configured}'; it must be one of: all (the default), web, worker."),
    };

    /// <summary>The UI, the API and the job dashboard are served.</summary>
    public static bool ServesWeb(this ServerRole role) => role != ServerRole.Worker;

    /// <summary>Hangfire servers run jobs here, and the periodic sweeps (stale runs, retention, pending webhooks) run here.</summary>
    public static bool RunsJobs(this ServerRole role) => role != ServerRole.Web;
}
