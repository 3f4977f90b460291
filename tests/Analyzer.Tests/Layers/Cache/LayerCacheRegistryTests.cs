using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Layers.Cache;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Processes;
using LayerLens.TestInfrastructure.Registry;
using LayerLens.TestInfrastructure.Synthetic;
using AnalyzerRegistryOptions = LayerLens.Analyzer.Images.Registry.RegistryOptions;

namespace LayerLens.Analyzer.Tests.Layers.Cache;

/// <summary>
/// A registry analysis with a warm layer cache downloads the manifest and the config and no layer blob (a real
/// docker-registry; the requests are counted as the registry sees them), and reports what a cold pull reports.
/// </summary>
[Trait(Needs.Trait, Needs.Registry)]
public sealed class LayerCacheRegistryTests(RegistryFixture registry) : IClassFixture<RegistryFixture>, IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Records each request ("METHOD path") on its way to the registry.</summary>
    private sealed class CountingHandler() : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        public List<string> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Requests)
            {
                Requests.Add(request.Method.Method + " " + request.RequestUri!.AbsolutePath);
            }
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>What a multi-tenant decorator does before it serves a hit: asks the registry, without downloading, whether this pull may read the layer.</summary>
    private sealed class AskingRegistryCache(ILayerCache inner) : ILayerCache
    {
        public List<string?> Origins { get; } = [];

        public async ValueTask<CachedLayer?> TryGetAsync(LayerBlob layer, LayerCacheKey key, CancellationToken cancellationToken)
        {
            lock (Origins)
            {
                Origins.Add(layer.Origin);
            }
            await layer.EnsureAccess!(cancellationToken);
            return await inner.TryGetAsync(layer, key, cancellationToken);
        }

        public ValueTask StoreAsync(LayerBlob layer, LayerCacheKey key, CachedLayer result, CancellationToken cancellationToken) =>
            inner.StoreAsync(layer, key, result, cancellationToken);
    }

    private async Task<string> PushAsync()
    {
        var archive = _temp.File("image.tar");
        ScenarioImage.Create().WriteDockerArchiveClassic(archive);
        var reference = $"{registry.Address}/cache/scenario:1";
        await ProcessRunner.RunAsync("skopeo", ["--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false", "docker-archive:" + archive, "docker://" + reference]);
        return reference;
    }

    private async Task<(ImageAnalysis Analysis, List<string> Requests)> PullAsync(string reference, ILayerCache? cache)
    {
        var counting = new CountingHandler();
        var options = new ImageOpenOptions
        {
            Registry = new AnalyzerRegistryOptions { PlainHttpHosts = [registry.Address], MaxRetries = 0, CreateHandler = () => counting },
        };
        using var image = await ImageOpener.OpenAsync("docker://" + reference, options);
        return (await ImageAnalyzer.AnalyzeAsync(image, options.Limits, layerCache: cache), counting.Requests);
    }

    [Fact]
    public async Task A_warm_pull_downloads_no_layer_blob_and_reports_as_a_cold_one()
    {
        var reference = await PushAsync();
        var cache = new DirectoryLayerCache(_temp.File("cache"));

        var (uncached, _) = await PullAsync(reference, cache: null);
        var (filling, fillRequests) = await PullAsync(reference, cache);
        var (warm, warmRequests) = await PullAsync(reference, cache);

        var layers = uncached.Layers.Select(l => l.Digest!).ToList();
        Assert.Equal(3, layers.Count);
        Assert.All(layers, d => Assert.Single(fillRequests, r => r == $"GET /v2/cache/scenario/blobs/{d}"));
        Assert.DoesNotContain(warmRequests, r => r.Contains("/blobs/", StringComparison.Ordinal) && layers.Any(d => r.EndsWith(d, StringComparison.Ordinal)));
        // Manifest and config only.
        Assert.Equal(2, warmRequests.Count(r => r.StartsWith("GET ", StringComparison.Ordinal)));
        Assert.Equal(CachedAnalysis.Fingerprint(uncached), CachedAnalysis.Fingerprint(filling));
        Assert.Equal(CachedAnalysis.Fingerprint(uncached), CachedAnalysis.Fingerprint(warm));
    }

    [Fact]
    public async Task A_decorator_can_ask_the_registry_before_serving_a_hit_without_downloading()
    {
        var reference = await PushAsync();
        var directory = new DirectoryLayerCache(_temp.File("cache"));
        await PullAsync(reference, directory);
        var asking = new AskingRegistryCache(directory);

        var (warm, requests) = await PullAsync(reference, asking);

        Assert.All(asking.Origins, o => Assert.Equal($"{registry.Address.ToLowerInvariant()}/cache/scenario", o));
        Assert.Equal(3, asking.Origins.Count);
        Assert.All(warm.Layers, l => Assert.Single(requests, r => r == $"HEAD /v2/cache/scenario/blobs/{l.Digest}"));
        Assert.Equal(2, requests.Count(r => r.StartsWith("GET ", StringComparison.Ordinal)));
    }
}
