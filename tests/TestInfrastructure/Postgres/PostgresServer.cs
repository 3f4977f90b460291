using System.Globalization;
using LayerLens.TestInfrastructure.Processes;
using Npgsql;

namespace LayerLens.TestInfrastructure.Postgres;

/// <summary>
/// A throwaway PostgreSQL cluster: initdb into a temp directory, a server on 127.0.0.1 on a free port with
/// trust auth, durability switched off for speed, everything deleted on dispose. PostgreSQL refuses to run
/// as root, so as root the cluster belongs to the <c>postgres</c> user and the tools run through runuser.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string SystemUser = "postgres";
    private const int StartAttempts = 3;
    private static readonly ProcessOptions ToolOptions = new() { Timeout = TimeSpan.FromMinutes(2) };

    private readonly string _directory;
    private readonly string _dataDirectory;

    private PostgresServer(string directory, string dataDirectory, int port)
    {
        _directory = directory;
        _dataDirectory = dataDirectory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Connection string to the maintenance database <c>postgres</c> as the superuser.</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        // As root the cluster belongs to postgres, which cannot enter root's private TMPDIR; /tmp also keeps
        // the socket path (-k) well under the 107-byte Unix socket limit.
        var directory = Path.Combine(Privileges.IsRoot ? "/tmp" : Path.GetTempPath(), "layerlens-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var data = Path.Combine(directory, "data");
        try
        {
            if (Privileges.IsRoot)
            {
                await ProcessRunner.RunAsync("chown", [$"{SystemUser}:{SystemUser}", directory], ToolOptions, cancellationToken);
            }

            await RunToolAsync("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync", "--no-instructions"], cancellationToken);
            for (var attempt = 1; ; attempt++)
            {
                var port = FreePort.Next();
                var serverOptions = string.Create(CultureInfo.InvariantCulture,
                    $"-p {port} -c listen_addresses=127.0.0.1 -k {directory} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100");
                try
                {
                    await RunToolAsync("pg_ctl", ["-D", data, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "-o", serverOptions, "start"], cancellationToken);
                    return new PostgresServer(directory, data, port);
                }
                catch (ProcessFailedException) when (attempt < StartAttempts)
                {
                    // Most likely the port was taken between probing and binding; the log says if not.
                }
                catch (ProcessFailedException ex)
                {
                    var log = Path.Combine(directory, "server.log");
                    throw new InvalidOperationException($"PostgreSQL did not start: {ex.Message}{Environment.NewLine}server.log:{Environment.NewLine}{(File.Exists(log) ? await File.ReadAllTextAsync(log, cancellationToken) : "(none)")}", ex);
                }
            }
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
        IncludeErrorDetail = true,
    }.ConnectionString;

    /// <summary>Creates an empty database with a unique name; disposing the result drops it.</summary>
    public async Task<PostgresDatabase> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var name = "test_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync($"CREATE DATABASE \"{name}\"", cancellationToken);
        return new PostgresDatabase(this, name, ConnectionStringFor(name));
    }

    internal async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunToolAsync("pg_ctl", ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"], CancellationToken.None);
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static Task<ProcessResult> RunToolAsync(string tool, IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        Privileges.IsRoot
            ? ProcessRunner.RunAsync("runuser", new[] { "-u", SystemUser, "--", PostgresBinaries.Tool(tool) }.Concat(arguments), ToolOptions, cancellationToken)
            : ProcessRunner.RunAsync(PostgresBinaries.Tool(tool), arguments, ToolOptions, cancellationToken);
}
