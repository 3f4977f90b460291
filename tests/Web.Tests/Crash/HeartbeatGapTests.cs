using System.Diagnostics;
using System.Net;
using LayerLens.TestInfrastructure.Postgres;
using LayerLens.TestInfrastructure;

namespace LayerLens.Web.Tests.Crash;

/// <summary>
/// A heartbeat gap: the process running an analysis is frozen (SIGSTOP, as a long GC pause or a suspended VM would),
/// a second process on the same database takes the analysis over and finishes it, then the first one wakes up and
/// finishes its own run. Exactly one run's results stay visible and exactly one webhook goes out. Both processes
/// share a throwaway PostgreSQL server for data and jobs, as the README's several-worker setup does (an SQLite file
/// can stay locked by the frozen process).
/// </summary>
[Trait(Needs.Trait, Needs.PostgreSQL)]
public sealed class HeartbeatGapTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string _data = Directory.CreateTempSubdirectory("layerlens-gap-").FullName;
    private readonly HoldingRegistry _registry = new();
    private readonly WebhookReceiver _receiver = new();

    private Dictionary<string, string> _database = [];

    [Fact]
    public async Task Two_runs_after_a_heartbeat_gap_publish_one_result_and_send_one_webhook()
    {
        await using var server = await PostgresServer.StartAsync();
        var database = await server.CreateDatabaseAsync();
        _database = new Dictionary<string, string>
        {
            ["ConnectionStrings__Default"] = database.ConnectionString,
            ["LayerLens__DatabaseProvider"] = "PostgreSql",
            ["LayerLens__JobStorage"] = "PostgreSql",
        };
        _registry.Hold("gap/app");
        await using var first = await CrashApp.StartAsync(_registry, _data, _database);
        using var client = first.CreateClient();
        await CrashApp.AddWebhookAsync(client, _receiver);
        var id = await CrashApp.SubmitAsync(client, _registry.Reference("gap/app"));
        await CrashApp.WaitUntilAsync(() => _registry.LayerRequests("gap/app") >= 1, Patience, "run 1 began its download");

        Signal(first.ProcessId, "STOP");
        await using var second = await StartWhileFrozenAsync(first.ProcessId);
        using var other = second.CreateClient();
        await CrashApp.WaitUntilAsync(() => _registry.LayerRequests("gap/app") >= 2, Patience, "run 2 (the second process) took the analysis over");
        _registry.Release("gap/app");
        await CrashApp.WaitForStatusAsync(other, id, "succeeded", Patience, () => second.Log);
        await CrashApp.WaitUntilAsync(() => _receiver.For(id).Count >= 1, Patience, "run 2's webhook arrived");

        // Run 1 wakes up: its download completes, it writes its results and tries to finish.
        Signal(first.ProcessId, "CONT");
        // It ends either by finding it lost its claim (logged) or, as before this fix, by sending a second webhook.
        await CrashApp.WaitUntilAsync(() => first.Log.Contains("lost its claim", StringComparison.Ordinal) || _receiver.For(id).Count >= 2,
            Patience, "run 1 finished");
        await Task.Delay(TimeSpan.FromSeconds(4)); // room for a second delivery, were there one

        Assert.Equal(["analysis.succeeded"], _receiver.For(id).Select(d => d.Event));
        Assert.Single(Directory.GetFileSystemEntries(Path.Combine(_data, "results", Guid.Parse(id).ToString("N"))));
        using var report = await other.GetAsync(new Uri($"api/v1/analyses/{id}/report", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
    }

    private async Task<LayerLens.TestInfrastructure.WebApp.WebAppProcess> StartWhileFrozenAsync(int frozen)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(3)); // past the 2 s heartbeat limit
            return await CrashApp.StartAsync(_registry, _data, _database);
        }
        catch
        {
            Signal(frozen, "CONT");
            throw;
        }
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", $"-{signal} {pid}");
        kill.WaitForExit();
    }

    public void Dispose()
    {
        _registry.Dispose();
        _receiver.Dispose();
        Directory.Delete(_data, recursive: true);
    }
}
