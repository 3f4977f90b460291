using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Tenancy;

/// <summary>
/// Workspace B aims cancel and delete at workspace A's running analysis (a real app, a real job held running by
/// a registry that holds back a layer): B is told 404 and A's analysis is untouched — it completes with its report.
/// </summary>
public sealed class CrossWorkspaceCancelTests : IAsyncLifetime
{
    private const string BetaKey = "llk_beta_cancel_key_0123456789abcdef";
    private readonly StubRegistry _registry = new();
    private WebAppProcess _app = null!;

    public async Task InitializeAsync() => _app = await WebAppProcess.StartAsync(new Dictionary<string, string>
    {
        ["LayerLens__Security__AllowPrivateNetworkTargets"] = "true",
        ["LayerLens__Registries__Insecure__0"] = _registry.Host,
        ["LayerLens__Bootstrap__Workspaces__1__Name"] = "beta",
        ["LayerLens__Bootstrap__Workspaces__1__ApiKey"] = BetaKey,
    });

    [Fact]
    public async Task Another_workspaces_cancel_and_delete_of_a_running_analysis_answer_404_and_it_completes_with_its_report()
    {
        var image = new SyntheticImage(new LayerTarBuilder().Dir("srv").File("srv/alpha-secret.txt", "alpha").Build());
        var (blobs, _, manifest) = image.Blobs();
        _registry.AddBlobs(blobs);
        _registry.AddManifest("alpha/app", "1", manifest);
        _registry.HeldBlob = SyntheticImage.Sha256(image.Compress(image.LayerTars[0]));

        using var alpha = _app.CreateClient();
        using var beta = _app.CreateClient(BetaKey);
        using var created = await alpha.PostAsJsonAsync(new Uri("api/v1/analyses", UriKind.Relative), new { image = $"{_registry.Host}/alpha/app:1" });
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        // The job is reading the held layer: running.
        await _registry.Holding.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("running", (await StatusAsync(alpha, id)).GetProperty("status").GetString());

        using (var cancel = await beta.PostAsync(new Uri($"api/v1/analyses/{id}/cancel", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        }
        using (var delete = await beta.DeleteAsync(new Uri($"api/v1/analyses/{id}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        }

        _registry.Release();
        var done = await WaitForEndAsync(alpha, id);
        Assert.True(done.GetProperty("status").GetString() == "succeeded", done + "\n" + _app.Log);
        using var report = await alpha.GetAsync(new Uri($"api/v1/analyses/{id}/report?format=json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        var layers = (await report.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("layers");
        Assert.Equal(_registry.HeldBlob, Assert.Single(layers.EnumerateArray()).GetProperty("digest").GetString());
    }

    private static async Task<JsonElement> StatusAsync(HttpClient http, string? id) =>
        await http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/analyses/{id}", UriKind.Relative));

    private Task<JsonElement> WaitForEndAsync(HttpClient http, string? id) =>
        AnalysisPolling.WaitForEndAsync(http, id!, TimeSpan.FromSeconds(60), () => _app.Log);

    public async Task DisposeAsync()
    {
        _registry.Dispose();
        await _app.DisposeAsync();
    }
}
