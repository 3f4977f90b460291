using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Registry;
using LayerLens.TestInfrastructure.WebApp;
using Xunit.Abstractions;

namespace LayerLens.Web.Tests.Crash;

/// <summary>
/// Real processes on PostgreSQL: one web node, two workers. A worker killed with SIGKILL mid-analysis (its layer
/// download held half-way) loses nothing — the other worker runs the analysis again after the heartbeat goes
/// stale and retires the dead worker's Hangfire job when its invisibility timeout passes — and a worker stopped
/// with SIGTERM hands its analysis back at once. Either way: one run's results, one signed webhook per event.
/// </summary>
[Trait(Needs.Trait, Needs.PostgreSQL)]
public sealed class WorkerKillTests(ITestOutputHelper output) : IDisposable
{
    private const string Secret = "worker-kill-webhook-secret-0123456789";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly HoldingRegistry _registry = new();
    private readonly WebhookReceiver _receiver = new();

    [Fact]
    public async Task A_worker_killed_mid_analysis_loses_nothing_the_other_worker_completes_it_once()
    {
        await using var cluster = await WorkerCluster.StartAsync(_registry);
        using var api = cluster.Web.CreateClient();
        var id = await SubmitHeldAsync(api, "cluster/kill");
        var a = await cluster.RunningWorkerAsync(Patience);
        var b = cluster.Other(a);

        var clock = Stopwatch.StartNew();
        await a.KillAsync(); // SIGKILL: no shutdown code runs, its Hangfire job stays fetched
        _registry.Release("cluster/kill");
        await CrashApp.WaitUntilAsync(() => _registry.LayerRequests("cluster/kill") >= 2, Patience, "the other worker began its own run");
        var pickedUp = clock.Elapsed;
        await CrashApp.WaitForStatusAsync(api, id, "succeeded", Patience, () => cluster.Logs);
        var succeeded = clock.Elapsed;
        // The dead worker's own Hangfire job comes back after LayerLens:Jobs:InvisibilityTimeoutSeconds; the claim
        // check finds the analysis done and that delivery runs nothing.
        var dropped = $"Analysis {Guid.Parse(id)} is not queued any more; this delivery does nothing";
        await CrashApp.WaitUntilAsync(() => b.Log.Contains(dropped, StringComparison.Ordinal), Patience, "the killed worker's job came back and ran nothing");
        var redelivered = clock.Elapsed;
        output.WriteLine($"after SIGKILL: new run began {pickedUp.TotalSeconds:0.0} s, succeeded {succeeded.TotalSeconds:0.0} s, the dead worker's job redelivered and dropped {redelivered.TotalSeconds:0.0} s");

        await AssertOneRunAndOneWebhookAsync(cluster, api, id, attempts: 2);
        Assert.Contains("layerlens_analyses_running 0", await b.CreateClient(apiKey: null).GetStringAsync(new Uri("metrics", UriKind.Relative)), StringComparison.Ordinal);
    }

    /// <summary>
    /// As on separate machines: every process on an empty data directory of its own, the store a registry with
    /// basic auth. The worker that survives has none of the killed run's files, yet completes the analysis (one
    /// more attempt), and its report is byte for byte the report a single machine (role all, SQLite, local store) writes.
    /// </summary>
    [Fact]
    [Trait(Needs.Trait, Needs.Registry)]
    public async Task On_separate_data_directories_a_killed_workers_analysis_completes_once_and_its_report_equals_a_single_machine_run()
    {
        await using var store = await RegistryServer.StartAsync(new RegistryOptions { Auth = RegistryAuth.Basic });
        string report;
        await using (var cluster = await WorkerCluster.StartAsync(_registry, store))
        {
            Assert.Equal(3, cluster.DataDirectories.Distinct().Count());
            using var api = cluster.Web.CreateClient();
            // No webhook here: its secret is encrypted with the web node's Data Protection key ring, which a worker
            // on its own data directory does not have (a known gap, docs/deployment.md); the shared-directory test
            // above checks the one delivery.
            _registry.Hold("cluster/apart");
            var id = await CrashApp.SubmitAsync(api, _registry.Reference("cluster/apart"));
            await CrashApp.WaitUntilAsync(() => _registry.LayerRequests("cluster/apart") >= 1, Patience, "the layer download began");
            var a = await cluster.RunningWorkerAsync(Patience);
            await a.KillAsync();
            _registry.Release("cluster/apart");
            await CrashApp.WaitForStatusAsync(api, id, "succeeded", Patience, () => cluster.Logs);
            Assert.Equal(2, await cluster.CountAsync("SELECT \"Attempts\" FROM \"Analyses\" WHERE \"Id\" = @id", Guid.Parse(id)));
            report = await api.GetStringAsync(new Uri($"api/v1/analyses/{id}/report?format=json", UriKind.Relative));
            // The surviving worker's data directory holds nothing of the run (the store has the results).
            var survivor = cluster.Other(a).DataDirectory;
            Assert.Empty(Directory.Exists(Path.Combine(survivor, "work"))
                ? Directory.GetDirectories(Path.Combine(survivor, "work"), Guid.Parse(id).ToString("N") + "*")
                : []);
        }

        // The same image on one machine: SQLite, embedded jobs, the local data directory (a fresh one).
        await using var single = await WebAppProcess.StartAsync(new Dictionary<string, string>
        {
            ["LayerLens__Security__AllowPrivateNetworkTargets"] = "true",
            ["LayerLens__Registries__Insecure__0"] = _registry.Host,
        });
        using var alone = single.CreateClient();
        var singleId = await CrashApp.SubmitAsync(alone, _registry.Reference("cluster/apart"));
        await CrashApp.WaitForStatusAsync(alone, singleId, "succeeded", Patience, () => single.Log);
        Assert.Equal(await alone.GetStringAsync(new Uri($"api/v1/analyses/{singleId}/report?format=json", UriKind.Relative)), report);
    }

    [Fact]
    public async Task A_worker_stopped_with_SIGTERM_mid_analysis_hands_it_back_and_the_other_worker_completes_it_once()
    {
        await using var cluster = await WorkerCluster.StartAsync(_registry);
        using var api = cluster.Web.CreateClient();
        var id = await SubmitHeldAsync(api, "cluster/term");
        var a = await cluster.RunningWorkerAsync(Patience);

        var clock = Stopwatch.StartNew();
        var exitCode = await a.TerminateAsync(Patience); // the download is still held: only cancellation ends the run
        var stopped = clock.Elapsed;
        Assert.Equal(0, exitCode);
        Assert.Contains($"Analysis {Guid.Parse(id)} handed back to the queue: this worker is stopping", a.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("stopped non-gracefully", a.Log, StringComparison.Ordinal); // the job ended within Hangfire's shutdown timeout
        // Handed back, not abandoned: the other worker starts at once, long before a heartbeat could go stale.
        await CrashApp.WaitUntilAsync(() => _registry.LayerRequests("cluster/term") >= 2, Patience, "the other worker began its own run");
        var pickedUp = clock.Elapsed;
        _registry.Release("cluster/term");
        await CrashApp.WaitForStatusAsync(api, id, "succeeded", Patience, () => cluster.Logs);
        output.WriteLine($"after SIGTERM: worker exited {stopped.TotalSeconds:0.0} s, new run began {pickedUp.TotalSeconds:0.0} s, succeeded {clock.Elapsed.TotalSeconds:0.0} s");

        // A clean stop is not a lost process: it does not count against LayerLens:Jobs:MaxAttempts.
        await AssertOneRunAndOneWebhookAsync(cluster, api, id, attempts: 1);
    }

    private async Task<string> SubmitHeldAsync(HttpClient api, string repository)
    {
        _registry.Hold(repository);
        using (var created = await api.PostAsJsonAsync(new Uri("api/v1/webhooks", UriKind.Relative),
            new { url = _receiver.Url, events = new[] { "analysis.succeeded", "analysis.failed" }, secret = Secret }))
        {
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }
        var id = await CrashApp.SubmitAsync(api, _registry.Reference(repository));
        await CrashApp.WaitUntilAsync(() => _registry.LayerRequests(repository) >= 1, Patience, "the layer download began");
        return id;
    }

    /// <summary>One result directory, one report served by the web node, one delivery row and one signed request.</summary>
    private async Task AssertOneRunAndOneWebhookAsync(WorkerCluster cluster, HttpClient api, string id, int attempts)
    {
        var analysisId = Guid.Parse(id);
        using (var report = await api.GetAsync(new Uri($"api/v1/analyses/{id}/report", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }
        if (cluster.DataDirectories.Count == 1)
        {
            Assert.Single(Directory.GetFileSystemEntries(Path.Combine(cluster.DataDirectory, "results", analysisId.ToString("N"))));
        }
        Assert.Equal(attempts, await cluster.CountAsync("SELECT \"Attempts\" FROM \"Analyses\" WHERE \"Id\" = @id", analysisId));

        await CrashApp.WaitUntilAsync(() => _receiver.For(id).Count >= 1, Patience, "the webhook arrived");
        await Task.Delay(TimeSpan.FromSeconds(3)); // room for a second delivery, were there one
        Assert.Equal(1, await cluster.CountAsync("SELECT count(*) FROM \"WebhookDeliveries\" WHERE \"AnalysisId\" = @id", analysisId));
        var call = Assert.Single(_receiver.Signed, s => s.Body.Contains(id, StringComparison.Ordinal));
        Assert.Equal("analysis.succeeded", call.Event);
        // Computed from the published definition, not with the app's code.
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{call.Timestamp}.{call.Body}")));
        Assert.Equal(expected, call.Signature);
        // The killed run left nothing in the work directory of any process still running.
        foreach (var data in cluster.Workers.Where(w => !w.HasExited).Append(cluster.Web).Select(p => p.DataDirectory).Distinct())
        {
            Assert.Empty(Directory.Exists(Path.Combine(data, "work"))
                ? Directory.GetDirectories(Path.Combine(data, "work"), analysisId.ToString("N") + "*")
                : []);
        }
    }

    public void Dispose()
    {
        _registry.Dispose();
        _receiver.Dispose();
    }
}
