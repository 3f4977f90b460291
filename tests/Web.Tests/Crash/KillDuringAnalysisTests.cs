using System.Net;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Crash;

/// <summary>
/// kill -9 of the web process while an analysis runs (its layer download held half-way), then a restart on the
/// same data directory: the analysis ends exactly once, its results are those of one run, one webhook goes out;
/// and an analysis whose every run loses its process ends as failed after LayerLens:Jobs:MaxAttempts.
/// </summary>
public sealed class KillDuringAnalysisTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string _data = Directory.CreateTempSubdirectory("layerlens-crash-").FullName;
    private readonly HoldingRegistry _registry = new();
    private readonly WebhookReceiver _receiver = new();

    [Fact]
    public async Task An_analysis_killed_mid_run_completes_once_after_restart_with_one_result_and_one_webhook()
    {
        _registry.Hold("crash/mid");
        string id;
        await using (var first = await CrashApp.StartAsync(_registry, _data))
        {
            using var client = first.CreateClient();
            await CrashApp.AddWebhookAsync(client, _receiver);
            id = await CrashApp.SubmitAsync(client, _registry.Reference("crash/mid"));
            await CrashApp.WaitUntilAsync(() => _registry.LayerRequests("crash/mid") >= 1, Patience, "the layer download began");
            Assert.Equal("running", (await CrashApp.GetAsync(client, id)).GetProperty("status").GetString());
            await first.KillAsync(); // SIGKILL: no shutdown code runs
        }

        _registry.Release("crash/mid");
        await using var second = await CrashApp.StartAsync(_registry, _data);
        using var again = second.CreateClient();
        await CrashApp.WaitForStatusAsync(again, id, "succeeded", Patience, () => second.Log);
        using (var report = await again.GetAsync(new Uri($"api/v1/analyses/{id}/report", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }
        await CrashApp.WaitUntilAsync(() => _receiver.For(id).Count >= 1, Patience, "the webhook arrived");
        await Task.Delay(TimeSpan.FromSeconds(4)); // room for a second delivery, were there one
        var deliveries = _receiver.For(id);
        Assert.Single(deliveries);
        Assert.Equal("analysis.succeeded", deliveries[0].Event);
        // One run's results: the killed run never published, the second run's directory is the only one.
        Assert.Single(Directory.GetFileSystemEntries(Path.Combine(_data, "results", Guid.Parse(id).ToString("N"))));
    }

    [Fact]
    public async Task An_analysis_that_loses_its_process_on_every_attempt_fails_after_MaxAttempts_instead_of_looping()
    {
        var settings = new Dictionary<string, string> { ["LayerLens__Jobs__MaxAttempts"] = "2" };
        _registry.Hold("crash/loop"); // every run stops at the same place, and the process dies there each time
        string? id = null;
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            await using var app = await CrashApp.StartAsync(_registry, _data, settings);
            using var client = app.CreateClient();
            if (id is null)
            {
                await CrashApp.AddWebhookAsync(client, _receiver);
                id = await CrashApp.SubmitAsync(client, _registry.Reference("crash/loop"));
            }
            var reached = attempt;
            await CrashApp.WaitUntilAsync(() => _registry.LayerRequests("crash/loop") >= reached, Patience, $"attempt {reached} began its download");
            await app.KillAsync();
        }

        await using var last = await CrashApp.StartAsync(_registry, _data, settings);
        using var final = last.CreateClient();
        var failed = await CrashApp.WaitForStatusAsync(final, id!, "failed", Patience, () => last.Log);
        Assert.Equal("stopped after 2 attempts: the analysis crashed or lost its process each time (LayerLens:Jobs:MaxAttempts)", failed.GetProperty("error").GetString());
        await CrashApp.WaitUntilAsync(() => _receiver.For(id!).Count >= 1, Patience, "the failure webhook arrived");
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal(2, _registry.LayerRequests("crash/loop")); // no third run began
        Assert.Equal(["analysis.failed"], _receiver.For(id!).Select(d => d.Event));
    }

    public void Dispose()
    {
        _registry.Dispose();
        _receiver.Dispose();
        Directory.Delete(_data, recursive: true);
    }
}
