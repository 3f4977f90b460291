using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Crash;

/// <summary>One app, several workspaces, the default two workers (so one running analysis per workspace).</summary>
public sealed class FairnessApp : IAsyncLifetime
{
    public const string BetaKey = "llk_fair_beta_key_0123456789abcdef01";
    public const string SmallKey = "llk_fair_small_key_0123456789abcdef0";
    public const string LateKey = "llk_fair_late_key_0123456789abcdef01";
    public const string OneKey = "llk_fair_one_key_0123456789abcdef012";
    public const long SmallStorage = 3000;
    public const double DeadlineMinutes = 0.5;

    private readonly string _data = Directory.CreateTempSubdirectory("layerlens-fair-").FullName;

    public HoldingRegistry Registry { get; } = new();

    public WebAppProcess App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var workspaces = new Dictionary<string, string>
        {
            ["LayerLens__Jobs__DeadlineMinutes"] = DeadlineMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LayerLens__Bootstrap__Workspaces__1__Name"] = "beta",
            ["LayerLens__Bootstrap__Workspaces__1__ApiKey"] = BetaKey,
            ["LayerLens__Bootstrap__Workspaces__2__Name"] = "small",
            ["LayerLens__Bootstrap__Workspaces__2__ApiKey"] = SmallKey,
            ["LayerLens__Bootstrap__Workspaces__2__MaxStorageBytes"] = SmallStorage.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LayerLens__Bootstrap__Workspaces__3__Name"] = "late",
            ["LayerLens__Bootstrap__Workspaces__3__ApiKey"] = LateKey,
            ["LayerLens__Bootstrap__Workspaces__4__Name"] = "one",
            ["LayerLens__Bootstrap__Workspaces__4__ApiKey"] = OneKey,
            ["LayerLens__Bootstrap__Workspaces__4__MaxActiveAnalyses"] = "1",
        };
        App = await CrashApp.StartAsync(Registry, _data, workspaces);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        Registry.Dispose();
        Directory.Delete(_data, recursive: true);
    }
}

/// <summary>Storage quota, job deadline, per-workspace running cap, and a registry push refused by a quota.</summary>
public sealed class FairnessTests(FairnessApp fair) : IClassFixture<FairnessApp>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static Uri U(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task A_workspace_whose_running_cap_is_taken_waits_while_another_workspaces_analysis_runs()
    {
        using var a = fair.App.CreateClient();
        using var b = fair.App.CreateClient(FairnessApp.BetaKey);
        fair.Registry.Hold("fair/a1");
        fair.Registry.Hold("fair/a2");
        try
        {
            // Workspace A queues two long analyses: without a cap they take both workers.
            var a1 = await CrashApp.SubmitAsync(a, fair.Registry.Reference("fair/a1"));
            var a2 = await CrashApp.SubmitAsync(a, fair.Registry.Reference("fair/a2"));
            await CrashApp.WaitUntilAsync(() => fair.Registry.LayerRequests("fair/a1") >= 1, Patience, "A's first analysis runs");
            var bId = await CrashApp.SubmitAsync(b, fair.Registry.Reference("fair/b"));

            await CrashApp.WaitForStatusAsync(b, bId, "succeeded", Patience, () => fair.App.Log);
            var waiting = await CrashApp.GetAsync(a, a2);
            Assert.Equal("queued", waiting.GetProperty("status").GetString());
            Assert.Contains("MaxRunningAnalysesPerWorkspace", waiting.GetProperty("progress").GetProperty("phase").GetString(), StringComparison.Ordinal);
            Assert.Equal(0, fair.Registry.LayerRequests("fair/a2"));
            Assert.Equal("running", (await CrashApp.GetAsync(a, a1)).GetProperty("status").GetString());

            fair.Registry.Release("fair/a1");
            fair.Registry.Release("fair/a2");
            await CrashApp.WaitForStatusAsync(a, a1, "succeeded", Patience);
            await CrashApp.WaitForStatusAsync(a, a2, "succeeded", Patience);
        }
        finally
        {
            fair.Registry.Release("fair/a1");
            fair.Registry.Release("fair/a2");
        }
    }

    [Fact]
    public async Task An_analysis_past_the_job_deadline_fails_with_a_message_naming_the_deadline()
    {
        using var late = fair.App.CreateClient(FairnessApp.LateKey);
        fair.Registry.Hold("fair/late"); // never released: the download would wait for ever
        var id = await CrashApp.SubmitAsync(late, fair.Registry.Reference("fair/late"));
        var failed = await CrashApp.WaitForStatusAsync(late, id, "failed", Patience, () => fair.App.Log);
        Assert.Equal("stopped: exceeded the job deadline of 0.5 minutes (LayerLens:Jobs:DeadlineMinutes)", failed.GetProperty("error").GetString());
        fair.Registry.Release("fair/late");
    }

    [Fact]
    public async Task Uploads_past_the_workspaces_storage_quota_are_413_naming_the_quota_and_the_usage()
    {
        using var small = fair.App.CreateClient(FairnessApp.SmallKey);
        // Bigger than what is left (all of it): refused before anything is kept.
        using (var tooBig = await UploadAsync(small, 3500))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
            Assert.Contains("storage quota", await Detail(tooBig), StringComparison.Ordinal);
        }
        // Exactly the quota: accepted (it fails later as not an image, but its bytes are kept).
        using (var fills = await UploadAsync(small, 3000))
        {
            Assert.Equal(HttpStatusCode.Accepted, fills.StatusCode);
        }
        using (var over = await UploadAsync(small, 10))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
            Assert.Equal("this workspace stores 3,000 bytes, at or over its storage quota of 3,000 bytes (LayerLens:Quotas:MaxStorageBytesPerWorkspace or the workspace's own); delete analyses to free space",
                await Detail(over));
        }
        // Another workspace keeps the server's quota.
        using var other = fair.App.CreateClient(FairnessApp.BetaKey);
        using var accepted = await UploadAsync(other, 3500);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    [Fact]
    public async Task A_registry_push_refused_by_a_quota_is_not_recorded_so_the_registrys_retry_starts_it()
    {
        using var one = fair.App.CreateClient(FairnessApp.OneKey);
        fair.Registry.Hold("hook/busy");
        var busy = await CrashApp.SubmitAsync(one, fair.Registry.Reference("hook/busy")); // the workspace's one active analysis
        var digest = fair.Registry.ManifestDigest("hook/app");
        var envelope = $$$"""{"events":[{"id":"p1","action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{digest}}}","repository":"hook/app","url":"http://{{{fair.Registry.Host}}}/v2/hook/app/manifests/{{{digest}}}","tag":"1"}}]}""";

        using (var refused = await one.PostAsync(U("api/v1/hooks/registry"), new StringContent(envelope, Encoding.UTF8, "application/vnd.docker.distribution.events.v1+json")))
        {
            Assert.False(refused.IsSuccessStatusCode, "the push could not be queued, so the registry must retry it");
        }
        fair.Registry.Release("hook/busy");
        await CrashApp.WaitForStatusAsync(one, busy, "succeeded", Patience);

        using var retried = await one.PostAsync(U("api/v1/hooks/registry"), new StringContent(envelope, Encoding.UTF8, "application/vnd.docker.distribution.events.v1+json"));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        var answer = await retried.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, answer.GetProperty("duplicates").GetInt32());
        var started = Assert.Single(answer.GetProperty("analyses").EnumerateArray().Select(e => e.GetString()!).ToList());
        await CrashApp.WaitForStatusAsync(one, started, "succeeded", Patience);
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, int bytes)
    {
        using var content = new ByteArrayContent(new byte[bytes]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        return await client.PostAsync(U("api/v1/analyses"), content);
    }

    private static async Task<string> Detail(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
}
