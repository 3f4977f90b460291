using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Images;
using LayerLens.TestInfrastructure.Proxy;
using LayerLens.TestInfrastructure.Registry;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Web.Tests.LayerCache;

/// <summary>
/// The service's layer cache for registry images, through the real app, its analysis job and a real docker-registry
/// that requires credentials (htpasswd), behind a proxy that counts every request. Workspace alpha analyses an image
/// with the registry's credentials; workspace beta then names the same layers where the registry does not let it
/// read them. Beta's analysis must end exactly as its cold run did (before alpha's layers were cached) and must have
/// asked the registry for the layer itself — the download count shows the cache did not answer for it.
/// </summary>
[Trait(Needs.Trait, Needs.Registry)]
public sealed class RegistryLayerCacheTests(BasicAuthRegistryFixture registry) : IClassFixture<BasicAuthRegistryFixture>, IAsyncLifetime
{
    private static readonly SyntheticImage Image = new(
        new LayerTarBuilder().Dir("alpha-private").File("alpha-private/merger-plans.txt", "alpha's plans").Build(),
        new LayerTarBuilder().Dir("app").File("app/run.sh", "#!/bin/sh\necho alpha\n").Whiteout("alpha-private/merger-plans.txt").Build());

    private readonly string _dir = Directory.CreateTempSubdirectory("layerlens-cache-registry-").FullName;
    private readonly string _repository = "alpha" + Guid.NewGuid().ToString("N")[..8];
    private LoopbackProxy _proxy = null!;
    private LayerCacheApp _app = null!;

    private static IReadOnlyList<string> LayerDigests => [.. Image.LayerTars.Select(t => SyntheticImage.Sha256(Image.Compress(t)))];

    public async Task InitializeAsync()
    {
        _proxy = LoopbackProxy.PassThrough(registry.BaseUri);
        _app = await LayerCacheApp.StartAsync([_proxy.Host]);
        await PushAsync($"{_repository}/app");
    }

    /// <summary>Pushes the image as its OCI layout (gzip layers kept as they are, so digests are the image's own).</summary>
    private async Task PushAsync(string repository)
    {
        var layout = Path.Combine(_dir, "layout");
        if (!Directory.Exists(layout))
        {
            Image.WriteOciLayout(layout);
        }
        var export = new ImageExport(layout, ImageFormat.OciLayout, TestInfrastructure.Images.LayerCompression.Gzip, [ImagePlatform.LinuxAmd64], "latest", repository, FromCache: false);
        await registry.PushAsync(export, repository, "1");
    }

    /// <summary>Unlinks a layer from one repository (the registry then answers 404 for it there): a repository that names a layer it does not let its reader have.</summary>
    private async Task UnlinkAsync(string repository, string digest)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri(registry.BaseUri, $"v2/{repository}/blobs/{digest}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{registry.Username}:{registry.Password}")));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private string Reference(string repository) => $"{_proxy.Host}/{repository}:1";

    private Task<AnalysisOutcome> PullAsync(HttpClient workspace, string repository, string? password = "") =>
        _app.PullAsync(workspace, Reference(repository), password is null ? null : registry.Username, password is "" ? registry.Password : password);

    [Fact]
    public async Task A_repeat_analysis_downloads_no_layer_and_reports_byte_for_byte_the_same()
    {
        var first = await PullAsync(_app.Alpha, $"{_repository}/app");
        Assert.True(first.Status == "succeeded", first.Seen);
        Assert.Contains("merger-plans.txt", first.JsonReport, StringComparison.Ordinal);
        Assert.All(LayerDigests, d => Assert.Equal(1, _proxy.Downloads(d)));

        var second = await PullAsync(_app.Alpha, $"{_repository}/app");

        Assert.Equal(first.JsonReport, second.JsonReport);
        Assert.All(LayerDigests, d => Assert.Equal(1, _proxy.Downloads(d)));
        Assert.Equal((2, 0), _app.CacheUse(second.Id));
    }

    [Fact]
    public async Task A_repository_naming_cached_layers_the_registry_does_not_serve_it_learns_nothing()
    {
        // Beta's repository names alpha's layers, manifest and config alike, but the registry does not serve beta the
        // private one (unlinked there; the other layer it serves).
        var forged = $"{_repository}/beta";
        await PushAsync(forged);
        await UnlinkAsync(forged, LayerDigests[0]);
        var download = $"GET /v2/{forged}/blobs/{LayerDigests[0]} 404";
        var cold = await PullAsync(_app.Beta, forged);
        Assert.Equal("failed", cold.Status);
        Assert.Single(_proxy.Requests, r => r == download);

        var alpha = await PullAsync(_app.Alpha, $"{_repository}/app");
        Assert.True(alpha.Status == "succeeded", alpha.Seen);

        var warm = await PullAsync(_app.Beta, forged);

        Assert.Equal(cold.Seen, warm.Seen);
        Assert.DoesNotContain("merger-plans", warm.Seen, StringComparison.Ordinal);
        // Beta's analysis asked the registry for the layer again, as its cold run did: the cache did not answer for it.
        Assert.Equal(2, _proxy.Requests.Count(r => r == download));
        Assert.True(_app.CacheUse(warm.Id).Refused >= 1, _app.App.Log);
    }

    [Theory]
    [InlineData("no credentials")]
    [InlineData("a wrong password")]
    public async Task The_same_image_with_credentials_the_registry_refuses_learns_nothing(string credentials)
    {
        var password = credentials == "no credentials" ? null : "not-" + registry.Password;
        var cold = await PullAsync(_app.Beta, $"{_repository}/app", password);
        Assert.Equal("failed", cold.Status);

        var alpha = await PullAsync(_app.Alpha, $"{_repository}/app");
        Assert.True(alpha.Status == "succeeded", alpha.Seen);
        var afterAlpha = _proxy.Requests.Count;

        var warm = await PullAsync(_app.Beta, $"{_repository}/app", password);

        Assert.Equal(cold.Seen, warm.Seen);
        Assert.DoesNotContain("merger-plans", warm.Seen, StringComparison.Ordinal);
        Assert.DoesNotContain(_proxy.Requests.Skip(afterAlpha), r => r.Contains("/blobs/", StringComparison.Ordinal) && r.EndsWith(" 200", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Once_the_registry_stops_serving_a_layer_its_own_workspace_is_not_served_the_cached_change_set_either()
    {
        var first = await PullAsync(_app.Alpha, $"{_repository}/app");
        Assert.True(first.Status == "succeeded", first.Seen);

        // Access revoked (the layer unlinked from the repository): a grant recorded earlier no longer suffices.
        await UnlinkAsync($"{_repository}/app", LayerDigests[0]);
        var revoked = await PullAsync(_app.Alpha, $"{_repository}/app");

        Assert.Equal("failed", revoked.Status);
        Assert.Contains("404", revoked.Error, StringComparison.Ordinal);
        Assert.True(_app.CacheUse(revoked.Id).Refused >= 1, _app.App.Log);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _proxy.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
