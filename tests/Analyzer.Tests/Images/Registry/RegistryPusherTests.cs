using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Images.Registry;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Registry;
using AnalyzerRegistryOptions = LayerLens.Analyzer.Images.Registry.RegistryOptions;

namespace LayerLens.Analyzer.Tests.Images.Registry;

/// <summary>The push client against a real docker-registry (2.8, no referrers API) with basic or token auth.</summary>
[Trait(Needs.Trait, Needs.Registry)]
public abstract class RegistryPusherTests<TFixture>(TFixture registry) where TFixture : RegistryFixture
{
    protected TFixture Registry { get; } = registry;

    internal RegistryPusher Pusher(string repository, string tag = "latest", string? password = null, IEnumerable<string>? mountFrom = null, HttpMessageHandler? handler = null) =>
        new(RegistryReference.Parse($"{Registry.Address}/{repository}:{tag}"),
            new AnalyzerRegistryOptions { Credentials = new RegistryCredentials(Registry.Username, password ?? Registry.Password), Insecure = true, RetryBaseDelay = TimeSpan.FromMilliseconds(10) },
            mountFrom, handler);

    internal static (byte[] Bytes, string Digest) Blob(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return (bytes, Sha(bytes));
    }

    internal static string Sha(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>An image manifest naming one config and one layer (neither has to be a real image for the registry).</summary>
    internal static byte[] Manifest((byte[] Bytes, string Digest) config, (byte[] Bytes, string Digest) layer, JsonObject? subject = null, string? artifactType = null)
    {
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = config.Digest, ["size"] = config.Bytes.Length },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip", ["digest"] = layer.Digest, ["size"] = layer.Bytes.Length }),
        };
        if (artifactType is not null)
        {
            manifest["artifactType"] = artifactType;
        }
        if (subject is not null)
        {
            manifest["subject"] = subject;
        }
        return Encoding.UTF8.GetBytes(manifest.ToJsonString());
    }

    internal static async Task<string> PushImageAsync(RegistryPusher pusher, string tag, int seed)
    {
        var config = Blob(300, seed);
        var layer = Blob(3 << 20, seed + 1);
        await pusher.PushBlobAsync(config.Digest, config.Bytes.Length, new MemoryStream(config.Bytes), default);
        await pusher.PushBlobAsync(layer.Digest, layer.Bytes.Length, new MemoryStream(layer.Bytes), default);
        return (await pusher.PutManifestAsync(tag, MediaTypes.OciManifest, Manifest(config, layer), default)).Digest;
    }

    [Fact]
    public async Task Blobs_stream_up_once_then_are_found_or_mounted_and_the_manifest_reads_back_with_skopeo()
    {
        var layer = Blob(5 << 20, 1);
        using (var pusher = Pusher("push/app", "v1"))
        {
            Assert.False(await pusher.BlobExistsAsync(layer.Digest, default));
            var first = await pusher.PushBlobAsync(layer.Digest, layer.Bytes.Length, _ => Task.FromResult<Stream>(new MemoryStream(layer.Bytes)), default);
            Assert.Equal((BlobPushOutcome.Uploaded, (long)layer.Bytes.Length), (first.Outcome, first.BytesUploaded));
            var again = await pusher.PushBlobAsync(layer.Digest, layer.Bytes.Length, new MemoryStream(layer.Bytes), default);
            Assert.Equal((BlobPushOutcome.AlreadyPresent, 0L), (again.Outcome, again.BytesUploaded));

            var config = Blob(200, 2);
            await pusher.PushBlobAsync(config.Digest, config.Bytes.Length, new MemoryStream(config.Bytes), default);
            var manifest = Manifest(config, layer);
            Assert.False(await pusher.ManifestExistsAsync("v1", default));
            var pushed = await pusher.PutManifestAsync("v1", MediaTypes.OciManifest, manifest, default);
            Assert.Equal(Sha(manifest), pushed.Digest);
            Assert.True(await pusher.ManifestExistsAsync("v1", default));
            var (body, _, digest) = await pusher.GetManifestAsync(pushed.Digest, 1 << 20, default);
            Assert.Equal(manifest, body);
            Assert.Equal(pushed.Digest, digest);
            Assert.Equal((long)layer.Bytes.Length + config.Bytes.Length, pusher.BytesUploaded);

            var raw = await Registry.InspectAsync($"{Registry.Address}/push/app:v1", raw: true);
            Assert.Equal(pushed.Digest, Sha(Encoding.UTF8.GetBytes(raw.StandardOutput.TrimEnd('\n'))));
        }
        using (var other = Pusher("push/other", "v1", mountFrom: ["push/app"]))
        {
            var mounted = await other.PushBlobAsync(layer.Digest, layer.Bytes.Length, new MemoryStream(layer.Bytes), default);
            Assert.Equal((BlobPushOutcome.Mounted, 0L), (mounted.Outcome, mounted.BytesUploaded));
            Assert.True(await other.BlobExistsAsync(layer.Digest, default));
        }
    }

    [Fact]
    public async Task Wrong_credentials_fail_clearly_and_tag_nothing()
    {
        using var pusher = Pusher("push/denied", "v1", password: "wrong");
        var blob = Blob(1000, 3);

        var ex = await Assert.ThrowsAsync<RegistryException>(() => PushImageAsync(pusher, "v1", 3));

        Assert.Contains("401", ex.Message);
        Assert.Contains(Registry.Address, ex.Message);
        Assert.Contains("push/denied", ex.Message);
        var inspect = await Registry.InspectAsync($"{Registry.Address}/push/denied:v1", checkExitCode: false);
        Assert.NotEqual(0, inspect.ExitCode);
    }

    [Fact]
    public async Task A_blob_whose_bytes_do_not_match_its_digest_is_refused_by_the_registry()
    {
        using var pusher = Pusher("push/lie", "v1");
        var real = Blob(2000, 4);
        var claimed = Blob(2000, 5).Digest;

        var ex = await Assert.ThrowsAsync<RegistryException>(() => pusher.PushBlobAsync(claimed, real.Bytes.Length, new MemoryStream(real.Bytes), default));

        Assert.Contains(claimed, ex.Message);
        Assert.Contains("400", ex.Message);
        Assert.False(await pusher.BlobExistsAsync(claimed, default));
    }

    [Fact]
    public async Task Referrers_round_trip_through_the_fallback_tag_when_the_registry_has_no_referrers_api()
    {
        using var pusher = Pusher("push/signed", "v1");
        var subjectDigest = await PushImageAsync(pusher, "v1", 10);
        var (subjectBytes, _, _) = await pusher.GetManifestAsync(subjectDigest, 1 << 20, default);
        Assert.Empty(await RegistryReferrers.ListAsync(pusher, subjectDigest, default));

        var empty = (Encoding.UTF8.GetBytes("{}"), Sha(Encoding.UTF8.GetBytes("{}")));
        var sbom = Blob(100, 11);
        await pusher.PushBlobAsync(empty.Item2, empty.Item1.Length, new MemoryStream(empty.Item1), default);
        await pusher.PushBlobAsync(sbom.Digest, sbom.Bytes.Length, new MemoryStream(sbom.Bytes), default);
        var subject = new JsonObject { ["mediaType"] = MediaTypes.OciManifest, ["digest"] = subjectDigest, ["size"] = subjectBytes.Length };
        var artifact = Manifest(empty, sbom, subject, "application/vnd.example.sbom");
        var second = Manifest(empty, sbom, subject.DeepClone().AsObject(), "application/vnd.example.signature");

        var pushed = await RegistryReferrers.PushAsync(pusher, MediaTypes.OciManifest, artifact, default);
        await RegistryReferrers.PushAsync(pusher, MediaTypes.OciManifest, second, default);
        await RegistryReferrers.PushAsync(pusher, MediaTypes.OciManifest, artifact, default); // listed once

        Assert.False(pushed.SubjectIndexed); // docker-registry 2.8 does not know subjects
        var listed = await RegistryReferrers.ListAsync(pusher, subjectDigest, default);
        Assert.Equal(
            [(pushed.Digest, "application/vnd.example.sbom"), (Sha(second), "application/vnd.example.signature")],
            listed.Select(r => (r.Digest, r.ArtifactType)));
        Assert.Equal(artifact.Length, listed[0].Size);
        Assert.True(await pusher.ManifestExistsAsync(RegistryReferrers.FallbackTag(subjectDigest), default));
    }

    [Fact]
    public async Task A_registry_that_answers_another_digest_for_a_manifest_is_refused()
    {
        // The registry is real; only its Docker-Content-Digest header is rewritten in flight, as a lying or
        // compromised registry (or proxy) would — a real docker-registry cannot be made to lie.
        using var pusher = Pusher("push/liar", "v1", handler: new LyingDigestHandler());

        var ex = await Assert.ThrowsAsync<RegistryException>(() => PushImageAsync(pusher, "v1", 20));

        Assert.Contains("Docker-Content-Digest", ex.Message);
        Assert.Contains("push/liar", ex.Message);
    }

    [Fact]
    public async Task A_manifest_pushed_while_other_uploads_of_its_blob_commit_is_stored()
    {
        // docker-registry's filesystem storage rewrites a blob's link in the repository in place (truncate, then
        // write) each time an upload of that blob commits; a manifest check reading the link in between finds an
        // empty digest and answers 400 DIGEST_INVALID. Two workers publishing identical result files at once race
        // exactly so (both HEADs found no blob, both uploaded). Here two other clients keep re-uploading the layer.
        using var pusher = Pusher("push/relinked", "v1");
        var config = Blob(300, 30);
        var layer = Blob(20_000, 31);
        await pusher.PushBlobAsync(config.Digest, config.Bytes.Length, new MemoryStream(config.Bytes), default);
        await pusher.PushBlobAsync(layer.Digest, layer.Bytes.Length, new MemoryStream(layer.Bytes), default);
        using var stop = new CancellationTokenSource();
        var relinking = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            using var other = Pusher("push/relinked", "v1");
            var uploads = 0;
            while (!stop.IsCancellationRequested)
            {
                await other.UploadStreamAsync(new MemoryStream(layer.Bytes), () => layer.Digest, default);
                uploads++;
            }
            return uploads;
        })).ToList();
        try
        {
            for (var i = 0; i < 150; i++)
            {
                await pusher.PutManifestAsync($"r{i}", MediaTypes.OciManifest, Manifest(config, layer), default);
            }
        }
        finally
        {
            await stop.CancelAsync();
        }

        Assert.All(await Task.WhenAll(relinking), uploads => Assert.True(uploads > 0));
        Assert.True(await pusher.ManifestExistsAsync("r149", default));
    }

    /// <summary>Rewrites the digest a real registry answers for manifest PUTs.</summary>
    private sealed class LyingDigestHandler() : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Put && request.RequestUri!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal) && response.IsSuccessStatusCode)
            {
                response.Headers.Remove("Docker-Content-Digest");
                response.Headers.Add("Docker-Content-Digest", "sha256:" + new string('0', 64));
            }
            return response;
        }
    }
}

[Trait(Needs.Trait, Needs.Registry)]
public class BasicAuthRegistryPusherTests(BasicAuthRegistryFixture registry) : RegistryPusherTests<BasicAuthRegistryFixture>(registry), IClassFixture<BasicAuthRegistryFixture>;

[Trait(Needs.Trait, Needs.Registry)]
public class TokenAuthRegistryPusherTests(TokenAuthRegistryFixture registry) : RegistryPusherTests<TokenAuthRegistryFixture>(registry), IClassFixture<TokenAuthRegistryFixture>;
