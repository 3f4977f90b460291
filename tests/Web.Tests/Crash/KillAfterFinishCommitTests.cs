using LayerLens.TestInfrastructure.WebApp;
using LayerLens.Web.Jobs;

namespace LayerLens.Web.Tests.Crash;

/// <summary>
/// kill -9 of the web process in the one gap the finishing transaction leaves: the result and its webhook rows are
/// committed, the delivery jobs not yet queued. The process is stopped there by the test-only hold
/// <see cref="CrashTestHold"/> (active only under LAYERLENS_TEST_HOLD_AT, which this test sets for the first
/// process alone), then SIGKILLed. After a restart every webhook is delivered, each exactly once.
/// </summary>
public sealed class KillAfterFinishCommitTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string _data = Directory.CreateTempSubdirectory("layerlens-crash-").FullName;
    private readonly HoldingRegistry _registry = new();
    private readonly WebhookReceiver _first = new();
    private readonly WebhookReceiver _second = new();

    [Fact]
    public async Task Webhooks_committed_but_never_queued_before_a_kill_are_each_delivered_exactly_once_after_restart()
    {
        string id;
        var hold = new Dictionary<string, string> { [CrashTestHold.Variable] = CrashTestHold.AfterFinishCommitted };
        await using (var app = await CrashApp.StartAsync(_registry, _data, hold))
        {
            using var client = app.CreateClient();
            await CrashApp.AddWebhookAsync(client, _first);
            await CrashApp.AddWebhookAsync(client, _second);
            id = await CrashApp.SubmitAsync(client, _registry.Reference("crash/finish"));
            await CrashApp.WaitUntilAsync(() => app.Log.Contains("crash-test hold reached: " + CrashTestHold.AfterFinishCommitted, StringComparison.Ordinal),
                Patience, "the run committed its result and webhook rows");
            Assert.Equal("succeeded", (await CrashApp.GetAsync(client, id)).GetProperty("status").GetString());
            await app.KillAsync(); // SIGKILL between the commit and the queuing of the deliveries
        }
        Assert.Empty(_first.For(id));
        Assert.Empty(_second.For(id));

        await using var restarted = await CrashApp.StartAsync(_registry, _data);
        await CrashApp.WaitUntilAsync(() => _first.For(id).Count >= 1 && _second.For(id).Count >= 1, Patience, "both webhooks arrived after the restart");
        await Task.Delay(TimeSpan.FromSeconds(4)); // room for a second delivery, were there one
        Assert.Equal(["analysis.succeeded"], _first.For(id).Select(d => d.Event));
        Assert.Equal(["analysis.succeeded"], _second.For(id).Select(d => d.Event));
        Assert.NotEqual(_first.For(id)[0].Delivery, _second.For(id)[0].Delivery);
        Assert.Equal(1, _registry.LayerRequests("crash/finish")); // the analysis itself ran once
    }

    public void Dispose()
    {
        _registry.Dispose();
        _first.Dispose();
        _second.Dispose();
        Directory.Delete(_data, recursive: true);
    }
}
