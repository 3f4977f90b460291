using LayerLens.Analyzer.Blobs;
using System.Text.Json;
using System.Text.Json.Nodes;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Images.Registry;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.Data.Blobs;
using LayerLens.Web.Storage;
using AnalyzerRegistryOptions = LayerLens.Analyzer.Images.Registry.RegistryOptions;

namespace LayerLens.Web.Tests.Tenancy;

/// <summary>
/// An attacker's registry (in-process, loopback) answers HEAD 200 for every digest and serves a manifest naming
/// a layer it does not have: a victim workspace's kept layer, or an uploaded blob. The pulled-blob cache and the
/// blob store are the service's real ones; only the workspaces are ids, as the analysis job passes them.
/// </summary>
public sealed class KeptLayerIsolationTests : IDisposable
{
    private static readonly Guid Victim = Guid.NewGuid();
    private static readonly Guid Attacker = Guid.NewGuid();
    private static readonly TimeSpan GrantLifetime = TimeSpan.FromDays(7);

    private readonly string _dir = Directory.CreateTempSubdirectory("layerlens-grants-").FullName;
    private readonly StubRegistry _honest = new();
    private readonly StubRegistry _evil = new() { AnswerEveryHead = true };
    private readonly BlobStore _store;
    private readonly KeptLayerGrants _grants;

    private static readonly SyntheticImage VictimImage = new(new LayerTarBuilder().Dir("victim").File("victim/secret.txt", "the victim's data").Build());

    public KeptLayerIsolationTests()
    {
        _store = new BlobStore(Path.Combine(_dir, "data"));
        _grants = new KeptLayerGrants(Path.Combine(_dir, "data"), GrantLifetime);
        var (blobs, _, manifest) = VictimImage.Blobs();
        _honest.AddBlobs(blobs);
        _honest.AddManifest("victim/app", "1", manifest);
    }

    private static string VictimLayer => SyntheticImage.Sha256(VictimImage.Compress(VictimImage.LayerTars[0]));

    private async Task<ImageAnalysis> PullAsync(StubRegistry registry, string repositoryAndTag, Guid workspace)
    {
        var options = new ImageOpenOptions
        {
            Registry = new AnalyzerRegistryOptions
            {
                PlainHttpHosts = [registry.Host],
                MaxRetries = 0,
                BlobCache = new PulledBlobCache(_store, _grants, workspace),
            },
        };
        using var image = await ImageOpener.OpenAsync($"docker://{registry.Host}/{repositoryAndTag}", options);
        return await ImageAnalyzer.AnalyzeAsync(image);
    }

    /// <summary>A manifest on the attacker's registry naming <paramref name="layer"/> (which it does not hold), with a config it serves.</summary>
    private void ForgeManifest(string repository, string layer, long size, IReadOnlyList<string>? diffIds)
    {
        var rootfs = new JsonObject { ["type"] = "layers" };
        if (diffIds is not null)
        {
            rootfs["diff_ids"] = new JsonArray([.. diffIds.Select(d => (JsonNode)d)]);
        }
        var config = JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["architecture"] = "amd64", ["os"] = "linux", ["rootfs"] = rootfs });
        var configDigest = SyntheticImage.Sha256(config);
        _evil.AddBlobs(new Dictionary<string, byte[]> { [configDigest] = config });
        _evil.AddManifest(repository, "1", JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = configDigest, ["size"] = config.Length },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip", ["digest"] = layer, ["size"] = size }),
        }));
    }

    private static IReadOnlyList<string> VictimDiffIds => [SyntheticImage.Sha256(VictimImage.LayerTars[0])];

    [Theory]
    [InlineData("another workspace")]
    [InlineData("the victim's own workspace, another repository")]
    public async Task A_registry_answering_yes_to_every_HEAD_cannot_obtain_a_kept_layer(string who)
    {
        var victimPull = await PullAsync(_honest, "victim/app:1", Victim);
        Assert.Equal(VictimLayer, Assert.Single(victimPull.Layers).Digest);
        Assert.True(_store.Exists(VictimLayer));

        // The attacker even lists the right diff_ids (a digest is no secret): only the grant stands in the way.
        ForgeManifest("evil/app", VictimLayer, VictimImage.Compress(VictimImage.LayerTars[0]).Length, VictimDiffIds);
        var refused = await Assert.ThrowsAsync<RegistryException>(() => PullAsync(_evil, "evil/app:1", who == "another workspace" ? Attacker : Victim));

        // It had to download the layer itself, and it does not have it.
        Assert.Contains("404", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"GET /v2/evil/app/blobs/{VictimLayer}", _evil.Requests);
    }

    [Fact]
    public async Task Another_workspace_pulling_the_same_repository_is_not_served_the_kept_layer()
    {
        await PullAsync(_honest, "victim/app:1", Victim);

        // The same repository, now granting HEAD to anyone but the download to nobody but its owner (a private
        // repository with a lax HEAD): the other workspace must download, and is refused.
        _honest.AnswerEveryHead = true;
        lock (_honest.RefusedDownloads)
        {
            _honest.RefusedDownloads.Add(VictimLayer);
        }
        var refused = await Assert.ThrowsAsync<RegistryException>(() => PullAsync(_honest, "victim/app:1", Attacker));
        Assert.Contains("404", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, _honest.Requests.Count(r => r == $"GET /v2/victim/app/blobs/{VictimLayer}"));
    }

    [Fact]
    public async Task An_uploaded_blob_is_never_served_to_a_pull()
    {
        // Someone's upload: stored under its digest, never downloaded from any registry.
        var upload = VictimImage.Compress(VictimImage.LayerTars[0]);
        var stored = await _store.WriteAsync(new MemoryStream(upload), long.MaxValue, CancellationToken.None);
        Assert.Equal(VictimLayer, stored.Digest);

        ForgeManifest("evil/app", stored.Digest, upload.Length, VictimDiffIds);
        foreach (var workspace in new[] { Attacker, Victim })
        {
            await Assert.ThrowsAsync<RegistryException>(() => PullAsync(_evil, "evil/app:1", workspace));
        }
        Assert.Equal(2, _evil.Requests.Count(r => r == $"GET /v2/evil/app/blobs/{stored.Digest}"));
    }

    [Fact]
    public async Task The_victims_own_repeat_pull_reuses_its_kept_layer_without_downloading()
    {
        await PullAsync(_honest, "victim/app:1", Victim);
        Assert.Single(_honest.Requests, r => r == $"GET /v2/victim/app/blobs/{VictimLayer}");

        var again = await PullAsync(_honest, "victim/app:1", Victim);

        Assert.Equal(VictimLayer, Assert.Single(again.Layers).Digest);
        Assert.Single(_honest.Requests, r => r == $"GET /v2/victim/app/blobs/{VictimLayer}");
        Assert.Single(_honest.Requests, r => r == $"HEAD /v2/victim/app/blobs/{VictimLayer}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_config_without_a_diff_id_for_every_layer_is_refused_naming_the_config(bool emptyList)
    {
        ForgeManifest("evil/app", VictimLayer, 100, emptyList ? [] : null);
        var refused = await Assert.ThrowsAsync<InvalidImageException>(() => PullAsync(_evil, "evil/app:1", Attacker));
        Assert.Contains("config blob sha256:", refused.Message, StringComparison.Ordinal);
        Assert.Contains("rootfs.diff_ids lists 0 layer id(s) but the manifest has 1 layer(s)", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_evil.Requests, r => r.Contains(VictimLayer, StringComparison.Ordinal));
    }

    /// <summary>Ages every grant on disk past <see cref="GrantLifetime"/>, as the days going by would.</summary>
    private void ExpireGrants()
    {
        var grants = Directory.GetFiles(Path.Combine(_dir, "data", "grants"), "*", SearchOption.AllDirectories);
        Assert.NotEmpty(grants);
        foreach (var grant in grants)
        {
            File.SetLastWriteTimeUtc(grant, DateTime.UtcNow - GrantLifetime - TimeSpan.FromMinutes(1));
        }
    }

    [Fact]
    public async Task Once_the_grant_expired_a_registry_answering_yes_to_every_HEAD_must_serve_the_layer_again_and_cannot()
    {
        await PullAsync(_honest, "victim/app:1", Victim);

        // Access revoked, HEAD still lax: within the grant's lifetime the kept layer serves (the grant stands)…
        _honest.AnswerEveryHead = true;
        lock (_honest.RefusedDownloads)
        {
            _honest.RefusedDownloads.Add(VictimLayer);
        }
        await PullAsync(_honest, "victim/app:1", Victim);
        Assert.Single(_honest.Requests, r => r == $"GET /v2/victim/app/blobs/{VictimLayer}");

        // …after it, the registry must prove access again by serving the bytes, and it refuses.
        ExpireGrants();
        var refused = await Assert.ThrowsAsync<RegistryException>(() => PullAsync(_honest, "victim/app:1", Victim));
        Assert.Contains("404", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, _honest.Requests.Count(r => r == $"GET /v2/victim/app/blobs/{VictimLayer}"));
    }

    [Fact]
    public async Task An_attackers_registry_that_once_served_a_layer_cannot_get_it_from_the_cache_after_the_grant_expired()
    {
        // The attacker's registry served the real bytes once (a digest is no secret, nor are public layers)…
        var (blobs, _, manifest) = VictimImage.Blobs();
        _evil.AddBlobs(blobs);
        _evil.AddManifest("evil/app", "1", manifest);
        await PullAsync(_evil, "evil/app:1", Attacker);
        // …then drops them, keeps answering HEAD 200 for everything, and asks again once the grant expired.
        lock (_evil.RefusedDownloads)
        {
            _evil.RefusedDownloads.Add(VictimLayer);
        }
        ExpireGrants();
        var refused = await Assert.ThrowsAsync<RegistryException>(() => PullAsync(_evil, "evil/app:1", Attacker));
        Assert.Contains("404", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, _evil.Requests.Count(r => r == $"GET /v2/evil/app/blobs/{VictimLayer}"));
    }

    public void Dispose()
    {
        _honest.Dispose();
        _evil.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
