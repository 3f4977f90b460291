using LayerLens.TestInfrastructure.Postgres;
using Microsoft.Extensions.DependencyInjection;
using LayerLens.TestInfrastructure;

namespace LayerLens.Data.Tests;

/// <summary>Against a real PostgreSQL server started by the fixture on 127.0.0.1.</summary>
[Trait(Needs.Trait, Needs.PostgreSQL)]
public sealed class PostgresMigrationTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_fresh_postgresql_database_migrates_and_round_trips_an_analysis_with_its_project()
    {
        await using var database = await postgres.CreateDatabaseAsync();
        await using var services = new ServiceCollection()
            .AddLayerLensData(DatabaseProvider.PostgreSql, database.ConnectionString)
            .BuildServiceProvider();

        await DataRoundTrip.RunAsync(services);
    }
}
