using System.Security.Cryptography;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Images;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.Data.Blobs;
using LayerLens.TestInfrastructure.Processes;
using LayerLens.TestInfrastructure.Registry;
using LayerLens.TestInfrastructure;
using LayerLens.Web.Storage;
using AnalyzerRegistryOptions = LayerLens.Analyzer.Images.Registry.RegistryOptions;

namespace LayerLens.Web.Tests.Storage;

/// <summary>
/// Layers pulled from a (real) registry are kept in the blob store, digest-verified, so analysing the
/// same image again downloads none of them.
/// </summary>
[Trait(Needs.Trait, Needs.Registry)]
public sealed class PulledBlobCacheTests(RegistryFixture registry) : IClassFixture<RegistryFixture>, IDisposable
{
    private static readonly Guid Workspace = Guid.NewGuid();
    private readonly string _dir = Directory.CreateTempSubdirectory("layerlens-pulled-").FullName;

    /// <summary>Records the registry requests ("METHOD path"), as the registry would see them.</summary>
    private sealed class CountingHandler(string? denyBlobsBut = null) : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        public List<string> Paths { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Paths)
            {
                Paths.Add(request.Method.Method + " " + request.RequestUri!.AbsolutePath);
            }
            // A registry that does not grant this client the blobs. Simulated here: the real registry
            // will not hold a manifest whose blobs its repository lacks, which is what a forged one is.
            if (denyBlobsBut is not null && request.RequestUri!.AbsolutePath.Contains("/blobs/", StringComparison.Ordinal) && !request.RequestUri.AbsolutePath.EndsWith(denyBlobsBut, StringComparison.Ordinal))
            {
                return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.NotFound));
            }
            return base.SendAsync(request, cancellationToken);
        }
    }

    private static readonly SyntheticImage Image = new(
        new LayerTarBuilder().Dir("app").File("app/big.bin", 300_000, seed: 1).File("app/a.txt", "a").Build(),
        new LayerTarBuilder().Whiteout("app/big.bin").File("app/b.txt", "bb").Build());

    private async Task<string> PushAsync()
    {
        var archive = Path.Combine(_dir, "image.tar");
        Image.WriteDockerArchiveClassic(archive);
        var reference = $"{registry.Address}/cache/app:1";
        await ProcessRunner.RunAsync("skopeo", ["--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false", "docker-archive:" + archive, "docker://" + reference]);
        return reference;
    }

    private async Task<(ImageAnalysis Analysis, List<string> Requests)> AnalyseAsync(string reference, BlobStore store, CountingHandler? handler = null)
    {
        var counting = handler ?? new CountingHandler();
        var options = new ImageOpenOptions
        {
            Registry = new AnalyzerRegistryOptions
            {
                PlainHttpHosts = [registry.Address],
                MaxRetries = 0,
                CreateHandler = () => counting,
                BlobCache = new PulledBlobCache(store, new KeptLayerGrants(_dir), Workspace),
            },
        };
        using var image = await ImageOpener.OpenAsync("docker://" + reference, options);
        return (await ImageAnalyzer.AnalyzeAsync(image), counting.Paths);
    }

    [Fact]
    public async Task A_second_analysis_of_the_same_image_reads_its_layers_from_the_blob_store()
    {
        var reference = await PushAsync();
        var store = new BlobStore(Path.Combine(_dir, "data"));

        var (first, firstRequests) = await AnalyseAsync(reference, store);
        var layers = first.Layers.Select(l => l.Digest!).ToList();
        Assert.Equal(2, layers.Count);
        Assert.All(layers, d => Assert.Single(firstRequests, p => p == $"GET /v2/cache/app/blobs/{d}"));
        foreach (var digest in layers)
        {
            // Kept under its digest, and the content really has that digest.
            await using var kept = File.OpenRead(store.PathOf(digest));
            Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(kept)));
        }

        var (second, secondRequests) = await AnalyseAsync(reference, store);

        // No layer is downloaded again; the registry is only asked (HEAD) whether it grants each one.
        Assert.DoesNotContain(secondRequests, p => layers.Any(d => p == $"GET /v2/cache/app/blobs/{d}"));
        Assert.All(layers, d => Assert.Single(secondRequests, p => p == $"HEAD /v2/cache/app/blobs/{d}"));
        Assert.Equal((first.SizeBytes, first.FinalBytes, first.WastedBytes), (second.SizeBytes, second.FinalBytes, second.WastedBytes));
        Assert.Equal(300_000, second.WastedBytes); // big.bin, deleted by layer 1
    }

    [Fact]
    public async Task A_kept_layer_is_not_served_when_the_registry_does_not_grant_it()
    {
        var reference = await PushAsync();
        var store = new BlobStore(Path.Combine(_dir, "data3"));
        var (first, _) = await AnalyseAsync(reference, store);
        Assert.All(first.Layers, l => Assert.True(File.Exists(store.PathOf(l.Digest!))));

        // Same layers kept, but this client is refused them: the analysis fails instead of reading the copy.
        string configDigest;
        using (var plain = await ImageOpener.OpenAsync("docker://" + reference, new ImageOpenOptions
        {
            Registry = new AnalyzerRegistryOptions { PlainHttpHosts = [registry.Address], MaxRetries = 0 },
        }))
        {
            configDigest = plain.ConfigDigest!;
        }
        var denying = new CountingHandler(denyBlobsBut: "/blobs/" + configDigest);
        var refused = await Assert.ThrowsAsync<LayerLens.Analyzer.Images.Registry.RegistryException>(() => AnalyseAsync(reference, store, denying));
        Assert.Contains("HEAD", refused.Message, StringComparison.Ordinal);
        Assert.Contains("404", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(denying.Paths, p => p.StartsWith("GET ", StringComparison.Ordinal) && first.Layers.Any(l => p.EndsWith(l.Digest!, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_download_cut_short_or_with_the_wrong_content_is_not_kept()
    {
        var store = new BlobStore(Path.Combine(_dir, "data2"));
        var content = new byte[1000];
        new Random(3).NextBytes(content);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

        // Read only half, then closed (a cancelled analysis).
        await using (var partial = store.Capture(digest, new MemoryStream(content)))
        {
            await partial.ReadExactlyAsync(new byte[500]);
        }
        Assert.False(store.Exists(digest));

        // Read to the end, but the registry sent other bytes than the digest names.
        var wrong = "sha256:" + new string('0', 64);
        await using (var tampered = store.Capture(wrong, new MemoryStream(content)))
        {
            await tampered.CopyToAsync(Stream.Null);
        }
        Assert.False(store.Exists(wrong));

        // Read to the end with the right digest: kept, and readable back.
        await using (var whole = store.Capture(digest, new MemoryStream(content)))
        {
            await whole.CopyToAsync(Stream.Null);
        }
        await using var cached = store.OpenRead(digest);
        Assert.NotNull(cached);
        Assert.Empty(Directory.GetFiles(store.TempDirectory)); // temp files live in this instance's own directory
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
