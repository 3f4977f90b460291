using LayerLens.TestInfrastructure.Postgres;

namespace LayerLens.Web.Tests.Saas;

/// <summary>The two-workspace app on a throwaway PostgreSQL server, for data and for jobs.</summary>
public sealed class PostgresWorkspacesApp : TwoWorkspacesApp
{
    private PostgresServer? _server;

    protected override async Task<IReadOnlyDictionary<string, string>> ExtraEnvironmentAsync()
    {
        _server = await PostgresServer.StartAsync();
        var database = await _server.CreateDatabaseAsync();
        return new Dictionary<string, string>
        {
            ["ConnectionStrings__Default"] = database.ConnectionString,
            ["LayerLens__DatabaseProvider"] = "PostgreSql",
            ["LayerLens__JobStorage"] = "PostgreSql",
        };
    }

    public override async Task DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
        }
    }
}
