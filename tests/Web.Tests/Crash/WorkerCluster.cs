using System.Globalization;
using LayerLens.TestInfrastructure.Postgres;
using LayerLens.TestInfrastructure.Registry;
using LayerLens.TestInfrastructure.WebApp;
using Npgsql;

namespace LayerLens.Web.Tests.Crash;

/// <summary>
/// One web process and two worker processes sharing a throwaway PostgreSQL (data and Hangfire jobs), pulling from a
/// <see cref="HoldingRegistry"/>. Without a store they share one data directory (one machine); given a registry
/// store (LayerLens:Storage:Provider=Registry) each has an empty data directory of its own (separate machines). A
/// run's heartbeat counts as stale after 2 s and a dead worker's fetched Hangfire job comes back after 4 s, so a
/// test sees a kill recovered in seconds.
/// </summary>
internal sealed class WorkerCluster : IAsyncDisposable
{
    public const int InvisibilitySeconds = 4;

    private readonly PostgresServer _server;
    private readonly PostgresDatabase _database;
    private readonly string[] _data;

    private WorkerCluster(PostgresServer server, PostgresDatabase database, string[] data, WebAppProcess web, WebAppProcess[] workers)
    {
        _server = server;
        _database = database;
        _data = data;
        Web = web;
        Workers = workers;
    }

    public WebAppProcess Web { get; }

    public IReadOnlyList<WebAppProcess> Workers { get; }

    /// <summary>The data directory every process shares (started without a store).</summary>
    public string DataDirectory => _data.Length == 1 ? _data[0] : throw new InvalidOperationException("Each process has a data directory of its own.");

    /// <summary>Every data directory of the cluster: one shared, or one per process (web, then the workers).</summary>
    public IReadOnlyList<string> DataDirectories => _data;

    public string Logs => $"--- web ---\n{Web.Log}\n" + string.Concat(Workers.Select((w, i) => $"--- worker {i} ---\n{w.Log}\n"));

    public static async Task<WorkerCluster> StartAsync(HoldingRegistry registry, RegistryServer? store = null)
    {
        var server = await PostgresServer.StartAsync();
        var database = await server.CreateDatabaseAsync();
        var data = Enumerable.Range(0, store is null ? 1 : 3).Select(_ => Directory.CreateTempSubdirectory("layerlens-cluster-").FullName).ToArray();
        Dictionary<string, string> Role(string role)
        {
            var environment = Settings(role);
            if (store is not null)
            {
                environment["LayerLens__Storage__Provider"] = "Registry";
                environment["LayerLens__Storage__Registry__Url"] = store.BaseUri.ToString().TrimEnd('/');
                environment["LayerLens__Storage__Registry__Username"] = store.Username;
                environment["LayerLens__Storage__Registry__Password"] = store.Password;
                environment["LayerLens__Registries__Insecure__1"] = store.Address;
            }
            return environment;
        }
        Dictionary<string, string> Settings(string role) => new()
        {
            ["ConnectionStrings__Default"] = database.ConnectionString,
            ["LayerLens__DatabaseProvider"] = "PostgreSql",
            ["LayerLens__JobStorage"] = "PostgreSql",
            ["LayerLens__Role"] = role,
            ["LayerLens__Security__AllowPrivateNetworkTargets"] = "true",
            ["LayerLens__Registries__Insecure__0"] = registry.Host,
            ["LayerLens__Jobs__HeartbeatStaleSeconds"] = "2",
            ["LayerLens__Jobs__InvisibilityTimeoutSeconds"] = InvisibilitySeconds.ToString(CultureInfo.InvariantCulture),
            ["LayerLens__Webhooks__RetryBaseMilliseconds"] = "200",
        };
        // The web node first: it creates the bootstrap workspace; workers migrate nothing new after it.
        var web = await WebAppProcess.StartAsync(Role("web"), data[0]);
        var workers = await Task.WhenAll(
            WebAppProcess.StartAsync(Role("worker"), data[Math.Min(1, data.Length - 1)], bootstrap: false),
            WebAppProcess.StartAsync(Role("worker"), data[^1], bootstrap: false));
        return new WorkerCluster(server, database, data, web, workers);
    }

    /// <summary>The worker whose /metrics counts one running analysis (the other must count none).</summary>
    public async Task<WebAppProcess> RunningWorkerAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var running = new List<WebAppProcess>();
            foreach (var worker in Workers.Where(w => !w.HasExited))
            {
                using var http = worker.CreateClient(apiKey: null);
                var metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative));
                if (metrics.Contains("\nlayerlens_analyses_running 1", StringComparison.Ordinal))
                {
                    running.Add(worker);
                }
            }
            if (running.Count == 1)
            {
                return running[0];
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{running.Count} workers report a running analysis after {timeout.TotalSeconds} s:\n{Logs}");
            }
            await Task.Delay(100);
        }
    }

    public WebAppProcess Other(WebAppProcess worker) => Workers.Single(w => w != worker);

    /// <summary>Runs a scalar query against the app's database (to count rows the API does not show).</summary>
    public async Task<long> CountAsync(string sql, Guid analysisId)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", analysisId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in Workers)
        {
            await worker.DisposeAsync();
        }
        await Web.DisposeAsync();
        await _database.DisposeAsync();
        await _server.DisposeAsync();
        foreach (var data in _data)
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
