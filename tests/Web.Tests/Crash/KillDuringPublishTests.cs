using System.IO.Compression;
using System.Net;
using LayerLens.TestInfrastructure.WebApp;
using LayerLens.Web.Jobs;

namespace LayerLens.Web.Tests.Crash;

/// <summary>
/// kill -9 mid-publish: a run's results are moved to results/&lt;id&gt;/&lt;run&gt; but the row does not name the run yet.
/// The process is stopped there by the test-only hold <see cref="CrashTestHold"/> (active only under
/// LAYERLENS_TEST_HOLD_AT, set for the first process alone), then SIGKILLed. After a restart the analysis completes
/// exactly once: one result directory (the new run's), a report that reads whole, one webhook.
/// </summary>
public sealed class KillDuringPublishTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string _data = Directory.CreateTempSubdirectory("layerlens-crash-").FullName;
    private readonly HoldingRegistry _registry = new();
    private readonly WebhookReceiver _receiver = new();

    [Fact]
    public async Task An_analysis_killed_between_moving_its_results_and_finishing_its_row_completes_once_after_restart()
    {
        string id;
        string killedRun;
        var results = (string analysis) => Path.Combine(_data, "results", Guid.Parse(analysis).ToString("N"));
        var hold = new Dictionary<string, string> { [CrashTestHold.Variable] = CrashTestHold.AfterResultsMoved };
        await using (var app = await CrashApp.StartAsync(_registry, _data, hold))
        {
            using var client = app.CreateClient();
            await CrashApp.AddWebhookAsync(client, _receiver);
            id = await CrashApp.SubmitAsync(client, _registry.Reference("crash/publish"));
            await CrashApp.WaitUntilAsync(() => app.Log.Contains("crash-test hold reached: " + CrashTestHold.AfterResultsMoved, StringComparison.Ordinal),
                Patience, "the run moved its results into place");
            Assert.Equal("running", (await CrashApp.GetAsync(client, id)).GetProperty("status").GetString());
            using (var report = await client.GetAsync(new Uri($"api/v1/analyses/{id}/report", UriKind.Relative)))
            {
                Assert.NotEqual(HttpStatusCode.OK, report.StatusCode); // published files are not visible before the row names the run
            }
            killedRun = Path.GetFileName(Assert.Single(Directory.GetDirectories(results(id))));
            await app.KillAsync();
        }

        await using var restarted = await CrashApp.StartAsync(_registry, _data);
        using var again = restarted.CreateClient();
        await CrashApp.WaitForStatusAsync(again, id, "succeeded", Patience, () => restarted.Log);
        using (var report = await again.GetAsync(new Uri($"api/v1/analyses/{id}/report?format=json", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
            var body = await report.Content.ReadAsStringAsync();
            Assert.Contains("crash/publish", body, StringComparison.Ordinal);
        }
        await CrashApp.WaitUntilAsync(() => _receiver.For(id).Count >= 1, Patience, "the webhook arrived");
        await Task.Delay(TimeSpan.FromSeconds(4)); // room for a second delivery, were there one
        Assert.Equal(["analysis.succeeded"], _receiver.For(id).Select(d => d.Event));
        // The finishing run's directory is the only one; the killed run's published-but-unnamed copy is gone.
        var left = Assert.Single(Directory.GetDirectories(results(id)));
        Assert.NotEqual(killedRun, Path.GetFileName(left));
        var reports = Directory.GetFiles(left, "*.gz");
        Assert.Equal(4, reports.Length);
        foreach (var file in reports)
        {
            await using var gzip = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
            await gzip.CopyToAsync(Stream.Null); // every published report decompresses whole
        }
    }

    public void Dispose()
    {
        _registry.Dispose();
        _receiver.Dispose();
        Directory.Delete(_data, recursive: true);
    }
}
