using System.Security.Cryptography;
using LayerLens.Data;
using LayerLens.Data.Blobs;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Registry;
using LayerLens.Web.Configuration;
using LayerLens.Web.Storage;
using LayerLens.Web.Storage.Registry;
using Microsoft.Extensions.Logging.Abstractions;

namespace LayerLens.Web.Tests.Storage;

/// <summary>The Registry store against a real docker-registry 2.8 with basic auth.</summary>
[Trait(Needs.Trait, Needs.Registry)]
public sealed class RegistryArtifactStoreTests(BasicAuthRegistryFixture registry) : IClassFixture<BasicAuthRegistryFixture>, IDisposable
{
    private static readonly Guid WorkspaceA = Guid.NewGuid();
    private static readonly Guid WorkspaceB = Guid.NewGuid();
    private readonly List<string> _directories = [];
    private readonly List<IDisposable> _owned = [];

    [Fact]
    public async Task An_upload_streams_into_the_workspaces_repository_with_its_digest_and_is_read_back_verified()
    {
        var (store, data) = Store();
        var bytes = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);

        var stored = await store.PutBlobAsync(WorkspaceA, new OneWayStream(bytes), long.MaxValue, CancellationToken.None);

        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)), stored.Digest);
        Assert.Equal(bytes.Length, stored.Length);
        // Streamed: the node that took the upload kept no copy of it.
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(data, "blobs", "sha256"), "*", SearchOption.AllDirectories));
        Assert.Equal(bytes.Length, await store.BlobLengthAsync(WorkspaceA, stored.Digest, CancellationToken.None));
        await using (var read = await store.OpenBlobAsync(WorkspaceA, stored.Digest, CancellationToken.None))
        {
            Assert.Equal(bytes, await ReadAllAsync(read!));
        }
        // Another tool sees the blob in the workspace's own repository.
        using var http = RegistryHttp();
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"v2/layerlens/ws-{WorkspaceA:N}/uploads/blobs/{stored.Digest}"));
        Assert.Equal(System.Net.HttpStatusCode.OK, head.StatusCode);
    }

    [Fact]
    public async Task A_job_stages_only_its_blob_into_its_own_scratch_and_the_copy_goes_with_the_last_lease()
    {
        var (store, data) = Store();
        var bytes = RandomNumberGenerator.GetBytes(200_000);
        var stored = await store.PutBlobAsync(WorkspaceA, new MemoryStream(bytes), long.MaxValue, CancellationToken.None);
        var (worker, workerData) = Store();

        var first = await worker.StageBlobAsync(WorkspaceA, stored.Digest, CancellationToken.None);
        var second = await worker.StageBlobAsync(WorkspaceA, stored.Digest, CancellationToken.None);

        Assert.StartsWith(workerData, first.Path, StringComparison.Ordinal);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(first.Path));
        first.Dispose();
        Assert.True(File.Exists(second.Path), "a lease still held keeps the staged copy");
        second.Dispose();
        Assert.False(File.Exists(second.Path), "the last lease removes the staged copy");
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(data, "blobs", "sha256"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task An_upload_past_its_limit_is_refused_and_nothing_is_stored()
    {
        var (store, _) = Store();
        var bytes = RandomNumberGenerator.GetBytes(300_000);

        await Assert.ThrowsAsync<BlobTooLargeException>(() => store.PutBlobAsync(WorkspaceA, new OneWayStream(bytes), 100_000, CancellationToken.None));

        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Null(await store.BlobLengthAsync(WorkspaceA, digest, CancellationToken.None));
    }

    [Fact]
    public async Task A_runs_results_round_trip_as_an_OCI_artifact_tagged_by_analysis_and_run_and_go_when_dropped()
    {
        var (store, _) = Store();
        var run = new RunKey(WorkspaceA, Guid.NewGuid(), Guid.NewGuid());
        var files = ResultDirectory(out var output);
        const string Subject = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

        await store.PublishRunAsync(run, output, Subject, CancellationToken.None);

        Assert.False(Directory.Exists(output), "the job's local results are gone once the store has them");
        var (reader, _) = Store(); // another node, with an empty data directory
        foreach (var (name, bytes) in files)
        {
            var path = await reader.ResultFileAsync(WorkspaceA, run.AnalysisId, run.RunId, name, CancellationToken.None);
            Assert.NotNull(path);
            Assert.Equal(bytes, await File.ReadAllBytesAsync(path));
        }
        Assert.Null(await reader.ResultFileAsync(WorkspaceA, run.AnalysisId, run.RunId, "report.sarif.gz", CancellationToken.None));
        Assert.True(await reader.ResultBytesAsync(WorkspaceA, run.AnalysisId, run.RunId, CancellationToken.None) >= files.Sum(f => f.Bytes.Length));

        var tag = $"{run.AnalysisId:N}-{run.RunId:N}";
        var manifest = (await registry.InspectAsync(registry.Server.Reference($"layerlens/ws-{WorkspaceA:N}/results", tag), raw: true)).StandardOutput;
        Assert.Contains("\"artifactType\":\"application/vnd.layerlens.result.v1\"", manifest, StringComparison.Ordinal);
        Assert.Contains($"\"io.layerlens.analysis\":\"{run.AnalysisId}\"", manifest, StringComparison.Ordinal);
        Assert.Contains($"\"io.layerlens.image.digest\":\"{Subject}\"", manifest, StringComparison.Ordinal);
        Assert.Contains("\"org.opencontainers.image.title\":\"tree.bin\"", manifest, StringComparison.Ordinal);

        await store.DropRunsAsync(WorkspaceA, run.AnalysisId, null, CancellationToken.None);

        var (late, _) = Store();
        Assert.Null(await late.ResultFileAsync(WorkspaceA, run.AnalysisId, run.RunId, DataLayout.JsonReport, CancellationToken.None));
        Assert.Equal(0, await late.ResultBytesAsync(WorkspaceA, run.AnalysisId, run.RunId, CancellationToken.None));
    }

    [Fact]
    public async Task The_winning_run_keeps_its_results_and_drops_those_of_other_runs()
    {
        var (store, _) = Store();
        var analysis = Guid.NewGuid();
        var (crashed, won) = (new RunKey(WorkspaceA, analysis, Guid.NewGuid()), new RunKey(WorkspaceA, analysis, Guid.NewGuid()));
        ResultDirectory(out var first);
        await store.PublishRunAsync(crashed, first, null, CancellationToken.None);
        ResultDirectory(out var second);
        await store.PublishRunAsync(won, second, null, CancellationToken.None);

        await store.DropRunsAsync(WorkspaceA, analysis, won.RunId, CancellationToken.None);

        var (reader, _) = Store();
        Assert.NotNull(await reader.ResultFileAsync(WorkspaceA, analysis, won.RunId, DataLayout.TreeFile, CancellationToken.None));
        Assert.Null(await reader.ResultFileAsync(WorkspaceA, analysis, crashed.RunId, DataLayout.TreeFile, CancellationToken.None));
    }

    [Fact]
    public async Task A_store_that_returns_tampered_bytes_is_refused_on_every_read_and_nothing_it_sent_is_kept()
    {
        var (store, _) = Store();
        var bytes = RandomNumberGenerator.GetBytes(150_000);
        var stored = await store.PutBlobAsync(WorkspaceA, new MemoryStream(bytes), long.MaxValue, CancellationToken.None);
        var run = new RunKey(WorkspaceA, Guid.NewGuid(), Guid.NewGuid());
        ResultDirectory(out var output);
        await store.PublishRunAsync(run, output, null, CancellationToken.None);
        using var proxy = LayerLens.TestInfrastructure.Proxy.LoopbackProxy.Tampering(registry.BaseUri);
        var (lying, lyingData) = Store(proxy.Host);

        await using (var read = await lying.OpenBlobAsync(WorkspaceA, stored.Digest, CancellationToken.None))
        {
            await Assert.ThrowsAsync<ArtifactIntegrityException>(() => ReadAllAsync(read!));
        }
        await Assert.ThrowsAsync<ArtifactIntegrityException>(() => lying.StageBlobAsync(WorkspaceA, stored.Digest, CancellationToken.None));
        await Assert.ThrowsAsync<ArtifactIntegrityException>(() => lying.ResultFileAsync(WorkspaceA, run.AnalysisId, run.RunId, DataLayout.TreeFile, CancellationToken.None));

        Assert.True(proxy.Tampered >= 3, $"the proxy altered {proxy.Tampered} bodies");
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(lyingData, "blobs", "sha256"), "*", SearchOption.AllDirectories));
        Assert.False(Directory.Exists(Path.Combine(lyingData, "store-cache")) && Directory.EnumerateFiles(Path.Combine(lyingData, "store-cache"), "*", SearchOption.AllDirectories).Any(),
            "no tampered result file is cached");
    }

    [Fact]
    public async Task Workspace_B_cannot_read_workspace_As_artefacts_by_their_digest_or_ids()
    {
        var (store, _) = Store();
        var bytes = RandomNumberGenerator.GetBytes(50_000);
        var stored = await store.PutBlobAsync(WorkspaceA, new MemoryStream(bytes), long.MaxValue, CancellationToken.None);
        var run = new RunKey(WorkspaceA, Guid.NewGuid(), Guid.NewGuid());
        ResultDirectory(out var output);
        await store.PublishRunAsync(run, output, null, CancellationToken.None);
        var (node, _) = Store();

        // A reads its own (the control: the store does serve these ids and digests).
        Assert.NotNull(await node.ResultFileAsync(WorkspaceA, run.AnalysisId, run.RunId, DataLayout.JsonReport, CancellationToken.None));
        await using (var own = await node.OpenBlobAsync(WorkspaceA, stored.Digest, CancellationToken.None))
        {
            Assert.NotNull(own);
        }

        // B, knowing the digest and the ids, on the same node: nothing, whatever that node cached for A.
        Assert.Null(await node.OpenBlobAsync(WorkspaceB, stored.Digest, CancellationToken.None));
        Assert.Null(await node.BlobLengthAsync(WorkspaceB, stored.Digest, CancellationToken.None));
        await Assert.ThrowsAsync<ArtifactMissingException>(() => node.StageBlobAsync(WorkspaceB, stored.Digest, CancellationToken.None));
        Assert.Null(await node.ResultFileAsync(WorkspaceB, run.AnalysisId, run.RunId, DataLayout.JsonReport, CancellationToken.None));
        Assert.Equal(0, await node.ResultBytesAsync(WorkspaceB, run.AnalysisId, run.RunId, CancellationToken.None));
        // Nor can B delete A's results by naming them.
        await node.DropRunsAsync(WorkspaceB, run.AnalysisId, null, CancellationToken.None);
        var (other, _) = Store();
        Assert.NotNull(await other.ResultFileAsync(WorkspaceA, run.AnalysisId, run.RunId, DataLayout.JsonReport, CancellationToken.None));
    }

    [Fact]
    public async Task Health_reports_a_registry_that_refuses_the_stores_credentials_without_naming_them()
    {
        var (good, _) = Store();
        var (refused, _) = Store(password: "wrong-password");

        Assert.Null(await good.ProbeAsync(CancellationToken.None));
        var problem = await refused.ProbeAsync(CancellationToken.None);

        Assert.NotNull(problem);
        Assert.DoesNotContain("wrong-password", problem, StringComparison.Ordinal);
        Assert.DoesNotContain(registry.Address, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_HTTP_store_not_listed_as_insecure_does_not_start()
    {
        var settings = Settings(Directory.CreateTempSubdirectory("layerlens-store-").FullName, registry.Address, registry.Password) with { InsecureRegistries = [] };

        var refused = Assert.Throws<InvalidOperationException>(() => new RegistryArtifactStore(settings, new BlobStore(settings.DataDirectory), NullLogger<RegistryArtifactStore>.Instance));

        Assert.Contains("LayerLens:Registries:Insecure", refused.Message, StringComparison.Ordinal);
    }

    private (RegistryArtifactStore Store, string Data) Store(string? host = null, string? password = null)
    {
        var data = Directory.CreateTempSubdirectory("layerlens-store-").FullName;
        _directories.Add(data);
        var settings = Settings(data, host ?? registry.Address, password ?? registry.Password);
        var blobs = new BlobStore(data);
        _owned.Add(blobs);
        return (new RegistryArtifactStore(settings, blobs, NullLogger<RegistryArtifactStore>.Instance), data);
    }

    private ResolvedSettings Settings(string data, string host, string password) =>
        new(data, DatabaseProvider.Sqlite, "", JobStorageProvider.Embedded, "", false)
        {
            InsecureRegistries = [host],
            Storage = new StorageSettings
            {
                Provider = StorageProvider.Registry,
                RegistryUrl = new Uri($"http://{host}"),
                RegistryUsername = registry.Username,
                RegistryPassword = password,
            },
        };

    private List<(string Name, byte[] Bytes)> ResultDirectory(out string directory)
    {
        directory = Directory.CreateTempSubdirectory("layerlens-run-").FullName;
        _directories.Add(directory);
        List<(string, byte[])> files = [(DataLayout.JsonReport, RandomNumberGenerator.GetBytes(4000)), (DataLayout.TreeFile, RandomNumberGenerator.GetBytes(70_000))];
        foreach (var (name, bytes) in files)
        {
            File.WriteAllBytes(Path.Combine(directory, name), bytes);
        }
        return files;
    }

    private HttpClient RegistryHttp()
    {
        var http = new HttpClient { BaseAddress = registry.BaseUri };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{registry.Username}:{registry.Password}")));
        return http;
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
        foreach (var directory in _directories.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A request body as Kestrel hands it over: no length, no seeking.</summary>
    private sealed class OneWayStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
