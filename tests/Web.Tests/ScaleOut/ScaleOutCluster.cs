using LayerLens.TestInfrastructure.Postgres;
using LayerLens.TestInfrastructure.Registry;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.ScaleOut;

/// <summary>
/// LayerLens as it runs on several machines: a throwaway PostgreSQL (data and Hangfire jobs) and a real
/// docker-registry with basic auth as the shared store (LayerLens:Storage:Provider=Registry) are the only shared
/// things; every node gets a data directory of its own, created empty here, that no other node sees. A second,
/// anonymous registry is where images analysed by reference come from: a customer's registry, not the store.
/// </summary>
internal sealed class ScaleOutCluster : IAsyncDisposable
{
    private readonly List<WebAppProcess> _nodes = [];
    private readonly List<string> _dataDirectories = [];

    private ScaleOutCluster(PostgresServer server, PostgresDatabase database, RegistryServer store, RegistryServer source)
    {
        Server = server;
        Database = database;
        Store = store;
        Source = source;
    }

    public PostgresServer Server { get; }

    public PostgresDatabase Database { get; }

    /// <summary>The shared store: a registry with htpasswd auth, as a production deployment would have.</summary>
    public RegistryServer Store { get; }

    /// <summary>Where images analysed by reference are pulled from.</summary>
    public RegistryServer Source { get; }

    /// <summary>Another registry to pull from (host:port), when a test starts one, listed as plain HTTP too.</summary>
    public string? PrivateSourceAddress { get; set; }

    /// <summary>Every data directory a node of this cluster was given (deleted or not).</summary>
    public IReadOnlyList<string> DataDirectories => _dataDirectories;

    public string Logs => string.Concat(_nodes.Select((n, i) => $"--- node {i} ({n.DataDirectory}) ---\n{n.Log}\n"));

    public static async Task<ScaleOutCluster> StartAsync()
    {
        var server = await PostgresServer.StartAsync();
        var database = await server.CreateDatabaseAsync();
        var store = await RegistryServer.StartAsync(new RegistryOptions { Auth = RegistryAuth.Basic });
        var source = await RegistryServer.StartAsync();
        return new ScaleOutCluster(server, database, store, source);
    }

    /// <summary>The settings of one node: only the database and the store are shared.</summary>
    public Dictionary<string, string> Environment(string role) => new()
    {
        ["ConnectionStrings__Default"] = Database.ConnectionString,
        ["LayerLens__DatabaseProvider"] = "PostgreSql",
        ["LayerLens__JobStorage"] = "PostgreSql",
        ["LayerLens__Role"] = role,
        ["LayerLens__Storage__Provider"] = "Registry",
        ["LayerLens__Storage__Registry__Url"] = Store.BaseUri.ToString().TrimEnd('/'),
        ["LayerLens__Storage__Registry__Username"] = Store.Username,
        ["LayerLens__Storage__Registry__Password"] = Store.Password,
        ["LayerLens__Security__AllowPrivateNetworkTargets"] = "true",
        ["LayerLens__Registries__Insecure__0"] = Store.Address,
        ["LayerLens__Registries__Insecure__1"] = Source.Address,
        ["LayerLens__Registries__Insecure__2"] = PrivateSourceAddress ?? Source.Address,
        // One workspace submits everything: let both workers run its analyses at once.
        ["LayerLens__MaxConcurrentAnalyses"] = "2",
        ["LayerLens__Quotas__MaxRunningAnalysesPerWorkspace"] = "4",
        // Absolute links in reports name this, not the node that happened to render them.
        ["LayerLens__PublicBaseUrl"] = "https://layerlens.scaleout.test",
        // Content is judged by each run here, not reused from an earlier run's layer results.
        ["LayerLens__Cache__Enabled"] = "false",
    };

    /// <summary>Starts a node of <paramref name="role"/> on a new, empty data directory of its own.</summary>
    public async Task<WebAppProcess> StartNodeAsync(string role, bool bootstrap, IReadOnlyDictionary<string, string>? extra = null)
    {
        var data = Directory.CreateTempSubdirectory($"layerlens-scaleout-{role}-").FullName;
        _dataDirectories.Add(data);
        var environment = Environment(role);
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        var node = await WebAppProcess.StartAsync(environment, data, bootstrap);
        _nodes.Add(node);
        return node;
    }

    /// <summary>Stops every node (SIGTERM, as an orchestrator does) and deletes every node's data directory.</summary>
    public async Task StopAllAndDeleteDataAsync()
    {
        foreach (var node in _nodes.Where(n => !n.HasExited))
        {
            await node.TerminateAsync(TimeSpan.FromSeconds(60));
        }
        foreach (var data in _dataDirectories.Where(Directory.Exists))
        {
            Directory.Delete(data, recursive: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        foreach (var data in _dataDirectories.Where(Directory.Exists))
        {
            Directory.Delete(data, recursive: true);
        }
        await Source.DisposeAsync();
        await Store.DisposeAsync();
        await Database.DisposeAsync();
        await Server.DisposeAsync();
    }
}
