using System.Text.Json;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Saas;

/// <summary>
/// The app with every executed SQL command logged as one JSON line that carries its request scope, so tests
/// count the queries one request made. Loopback targets are allowed; workspace "test" maps two registry hosts.
/// </summary>
public sealed class SqlLogApp : IAsyncLifetime
{
    public const string MappedRegistry = "registry.internal:5000";
    public const string MappedRegistryPullHost = "127.0.0.1:9";
    public const string MappedMirror = "mirror.internal";
    public const string MappedMirrorPullHost = "127.0.0.2:9";

    public WebAppProcess App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await WebAppProcess.StartAsync(new Dictionary<string, string>
    {
        ["Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command"] = "Information",
        ["Logging__Console__FormatterName"] = "json",
        ["Logging__Console__FormatterOptions__IncludeScopes"] = "true",
        ["LayerLens__Security__AllowPrivateNetworkTargets"] = "true",
        ["LayerLens__Bootstrap__Workspaces__0__RegistryHosts__0"] = MappedRegistry + "=" + MappedRegistryPullHost,
        ["LayerLens__Bootstrap__Workspaces__0__RegistryHosts__1"] = MappedMirror + "=" + MappedMirrorPullHost,
    });

    public async Task DisposeAsync() => await App.DisposeAsync();

    /// <summary>One executed SQL command and the path of the request it ran for ("" outside requests).</summary>
    public sealed record Command(string RequestPath, string Sql)
    {
        public bool Reads(string table) => Sql.Contains($"\"{table}\"", StringComparison.Ordinal);
    }

    /// <summary>SQL commands logged after <paramref name="offset"/> (a length of the log), in order.</summary>
    public List<Command> CommandsSince(int offset)
    {
        var commands = new List<Command>();
        foreach (var line in App.Log[offset..].Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.StartsWith('{'))
            {
                continue;
            }
            using var entry = JsonDocument.Parse(line);
            var root = entry.RootElement;
            if (root.GetProperty("EventId").GetInt32() != 20101)
            {
                continue; // only "Executed DbCommand"
            }
            var path = root.TryGetProperty("Scopes", out var scopes)
                ? scopes.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("RequestPath", out _))
                    .Select(s => s.GetProperty("RequestPath").GetString()).FirstOrDefault() ?? ""
                : "";
            commands.Add(new Command(path, root.GetProperty("State").GetProperty("commandText").GetString() ?? ""));
        }
        return commands;
    }

    /// <summary>
    /// Waits until a command matching <paramref name="marker"/> (made by a request sent after the ones under test)
    /// is logged and returns those before it: the console logger writes in order, so the finished earlier
    /// requests' commands are all there by then.
    /// </summary>
    public async Task<List<Command>> CommandsBeforeAsync(int offset, Func<Command, bool> marker)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var commands = CommandsSince(offset);
            var at = commands.FindIndex(c => marker(c));
            if (at >= 0)
            {
                return commands[..at];
            }
            Assert.True(DateTime.UtcNow < deadline, $"the marker command was not logged:\n{App.Log[offset..]}");
            await Task.Delay(50);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SqlLogCollection : ICollectionFixture<SqlLogApp>
{
    public const string Name = "SQL log";
}
