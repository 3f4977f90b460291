using Xunit;

namespace LayerLens.TestInfrastructure.Postgres;

/// <summary>
/// A throwaway PostgreSQL server for an xunit class or collection fixture. Tests call
/// <see cref="CreateDatabaseAsync"/> for a fresh database each; the whole cluster is deleted afterwards.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL fixture has not started.");

    /// <summary>Connection string to the maintenance database.</summary>
    public string ConnectionString => Server.ConnectionString;

    public Task<PostgresDatabase> CreateDatabaseAsync() => Server.CreateDatabaseAsync();

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
