using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Tenancy;

/// <summary>
/// The kept-layer boundary through the real app and its analysis job: workspace A analyses an image from an honest
/// registry (its layer is kept); workspace B names that layer in a manifest on its own registry, which answers
/// HEAD 200 for every digest. B's analysis fails for want of the layer; A's repeat analysis reuses its copy.
/// </summary>
public sealed class KeptLayerAppTests : IAsyncLifetime
{
    private const string BetaKey = "llk_beta_layers_key_0123456789abcdef";
    private readonly StubRegistry _honest = new();
    private readonly StubRegistry _evil = new() { AnswerEveryHead = true };
    private WebAppProcess _app = null!;

    public async Task InitializeAsync() => _app = await WebAppProcess.StartAsync(new Dictionary<string, string>
    {
        ["LayerLens__Security__AllowPrivateNetworkTargets"] = "true",
        ["LayerLens__Registries__Insecure__0"] = _honest.Host,
        ["LayerLens__Registries__Insecure__1"] = _evil.Host,
        ["LayerLens__Bootstrap__Workspaces__1__Name"] = "beta",
        ["LayerLens__Bootstrap__Workspaces__1__ApiKey"] = BetaKey,
    });

    [Fact]
    public async Task Another_workspaces_registry_that_answers_every_HEAD_cannot_read_a_kept_layer_through_the_app()
    {
        var image = new SyntheticImage(new LayerTarBuilder().Dir("victim").File("victim/secret.txt", "alpha's data").Build());
        var (blobs, _, manifest) = image.Blobs();
        _honest.AddBlobs(blobs);
        _honest.AddManifest("alpha/app", "1", manifest);
        var layer = SyntheticImage.Sha256(image.Compress(image.LayerTars[0]));

        using var alpha = _app.CreateClient();
        using var beta = _app.CreateClient(BetaKey);
        var first = await AnalyseAsync(alpha, $"{_honest.Host}/alpha/app:1");
        Assert.True(first.GetProperty("status").GetString() == "succeeded", first.ToString());

        // Beta's registry: a manifest naming alpha's layer (with the right diff_id), a config it serves, no layer.
        _evil.AddManifestNamingLayer("beta/app", "1", image, layer, blobs[layer].Length);
        var stolen = await AnalyseAsync(beta, $"{_evil.Host}/beta/app:1");
        Assert.True(stolen.GetProperty("status").GetString() == "failed", stolen.ToString());
        Assert.Contains("404", stolen.GetProperty("error").GetString(), StringComparison.Ordinal);

        // Beta names alpha's repository itself, on a registry that answers HEAD for anyone but refuses beta the
        // download (a private repository with a lax HEAD): beta must download, and cannot.
        _honest.AnswerEveryHead = true;
        lock (_honest.RefusedDownloads)
        {
            _honest.RefusedDownloads.Add(layer);
        }
        var sameRepository = await AnalyseAsync(beta, $"{_honest.Host}/alpha/app:1");
        Assert.True(sameRepository.GetProperty("status").GetString() == "failed", sameRepository.ToString());
        Assert.Contains("404", sameRepository.GetProperty("error").GetString(), StringComparison.Ordinal);

        // Alpha's own repeat analysis still reads its kept copy: the registry is asked (HEAD), not downloaded from again.
        var again = await AnalyseAsync(alpha, $"{_honest.Host}/alpha/app:1");
        Assert.True(again.GetProperty("status").GetString() == "succeeded", again.ToString());
        Assert.Equal(2, _honest.Requests.Count(r => r == $"GET /v2/alpha/app/blobs/{layer}")); // alpha's first pull, beta's refused one
    }

    private async Task<JsonElement> AnalyseAsync(HttpClient http, string image)
    {
        using var created = await http.PostAsJsonAsync(new Uri("api/v1/analyses", UriKind.Relative), new { image });
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        return await AnalysisPolling.WaitForEndAsync(http, id, TimeSpan.FromSeconds(60), () => _app.Log);
    }

    public async Task DisposeAsync()
    {
        _honest.Dispose();
        _evil.Dispose();
        await _app.DisposeAsync();
    }
}
