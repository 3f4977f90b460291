using LayerLens.TestInfrastructure.Postgres;
using Npgsql;

namespace LayerLens.TestInfrastructure.Tests.Postgres;

[Trait(Needs.Trait, Needs.PostgreSQL)]
public class PostgresFixtureTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_fresh_database_round_trips_rows()
    {
        await using var database = await postgres.CreateDatabaseAsync();
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();

        await Execute(connection, "CREATE TABLE layers (id serial PRIMARY KEY, digest text NOT NULL, size bigint NOT NULL)");
        await using (var insert = new NpgsqlCommand("INSERT INTO layers (digest, size) VALUES (@d, @s)", connection))
        {
            insert.Parameters.AddWithValue("d", "sha256:abc");
            insert.Parameters.AddWithValue("s", 5_000_000_000L);
            await insert.ExecuteNonQueryAsync();
        }

        await using var select = new NpgsqlCommand("SELECT digest, size FROM layers", connection);
        await using var reader = await select.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("sha256:abc", reader.GetString(0));
        Assert.Equal(5_000_000_000L, reader.GetInt64(1));
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public async Task Each_test_database_is_isolated_and_dropped_on_dispose()
    {
        string name;
        await using (var first = await postgres.CreateDatabaseAsync())
        await using (var second = await postgres.CreateDatabaseAsync())
        {
            name = first.Name;
            Assert.NotEqual(first.Name, second.Name);
            await using var one = new NpgsqlConnection(first.ConnectionString);
            await one.OpenAsync();
            await Execute(one, "CREATE TABLE only_here (x int)");

            await using var two = new NpgsqlConnection(second.ConnectionString);
            await two.OpenAsync();
            var error = await Assert.ThrowsAsync<PostgresException>(() => Execute(two, "SELECT * FROM only_here"));
            Assert.Equal(PostgresErrorCodes.UndefinedTable, error.SqlState);
        }

        await using var admin = new NpgsqlConnection(postgres.ConnectionString);
        await admin.OpenAsync();
        await using var exists = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = @n", admin);
        exists.Parameters.AddWithValue("n", name);
        Assert.Equal(0L, (long)(await exists.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task The_server_listens_on_loopback_only()
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SHOW listen_addresses", connection);

        Assert.Equal("127.0.0.1", (string)(await command.ExecuteScalarAsync())!);
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
