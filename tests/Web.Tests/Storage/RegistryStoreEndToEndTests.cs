using System.Net;
using System.Text.Json;
using LayerLens.Analyzer.FileTree.Stored;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Postgres;
using LayerLens.TestInfrastructure.Registry;
using LayerLens.TestInfrastructure.WebApp;
using LayerLens.Web.Tests.Hosting;

namespace LayerLens.Web.Tests.Storage;

/// <summary>
/// LayerLens:Storage:Provider=Registry with real processes: a web node and a worker, each with its own data
/// directory (as on two machines), PostgreSQL for rows and jobs, docker-registry (basic auth) as the only shared store.
/// </summary>
[Trait(Needs.Trait, Needs.PostgreSQL)]
[Trait(Needs.Trait, Needs.Registry)]
public sealed class RegistryStoreEndToEndTests(BasicAuthRegistryFixture registry) : IClassFixture<BasicAuthRegistryFixture>
{
    private static Uri U(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task An_upload_analysed_by_a_worker_on_another_data_directory_is_served_by_the_web_node_and_survives_losing_every_data_directory()
    {
        await using var server = await PostgresServer.StartAsync();
        var database = await server.CreateDatabaseAsync();
        var webData = Directory.CreateTempSubdirectory("layerlens-store-web-").FullName;
        var workerData = Directory.CreateTempSubdirectory("layerlens-store-worker-").FullName;
        var freshData = Directory.CreateTempSubdirectory("layerlens-store-fresh-").FullName;
        try
        {
            Dictionary<string, string> Role(string role) => new()
            {
                ["ConnectionStrings__Default"] = database.ConnectionString,
                ["LayerLens__DatabaseProvider"] = "PostgreSql",
                ["LayerLens__JobStorage"] = "PostgreSql",
                ["LayerLens__Role"] = role,
                ["LayerLens__Storage__Provider"] = "Registry",
                ["LayerLens__Storage__Registry__Url"] = $"http://{registry.Address}",
                ["LayerLens__Storage__Registry__Username"] = registry.Username,
                ["LayerLens__Storage__Registry__Password"] = registry.Password,
                ["LayerLens__Registries__Insecure__0"] = registry.Address,
            };
            string id;
            byte[] report;
            await using (var web = await WebAppProcess.StartAsync(Role("web"), webData))
            await using (var worker = await WebAppProcess.StartAsync(Role("worker"), workerData, bootstrap: false))
            {
                using var api = web.CreateClient();
                id = await RoleApps.SubmitScenarioAsync(api, "shared-store");
                Assert.Equal("succeeded", await RoleApps.WaitForEndAsync(api, id, TimeSpan.FromSeconds(120), () => web.Log + worker.Log));

                report = await ReportAsync(api, id);
                Assert.Contains("\"layers\"", System.Text.Encoding.UTF8.GetString(await GunzipOrSelfAsync(report)), StringComparison.Ordinal);

                // The web node kept no copy of the upload; the worker's staged copy and work directory went with the job.
                Assert.Empty(Files(webData, "blobs", "sha256"));
                Assert.Empty(Files(workerData, "blobs", "sha256"));
                Assert.Empty(Files(workerData, "work"));
                Assert.Empty(Files(workerData, "results"));

                // The worker's health answers for the registry store.
                using var workerHttp = worker.CreateClient(apiKey: null);
                var health = JsonDocument.Parse(await workerHttp.GetStringAsync(U("healthz"))).RootElement;
                Assert.Equal("Healthy", health.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());
                Assert.Contains("Registry", health.GetProperty("checks").GetProperty("storage").GetProperty("description").GetString(), StringComparison.Ordinal);
            }

            // The tree file is an artifact in the workspace's results repository, readable by the engine's reader.
            using var http = RegistryHttp();
            var results = await ResultsRepositoryAsync(http);
            var tag = (await TagsAsync(http, results)).Single(t => t.StartsWith(Guid.Parse(id).ToString("N") + "-", StringComparison.Ordinal));
            var tree = await TreeAsync(http, results, tag);
            using (var reader = new TreeFileReader(tree))
            {
                Assert.True(reader.LayerCount > 0);
            }
            File.Delete(tree);

            // Every data directory lost: a new web node on an empty one still serves the same report.
            Directory.Delete(webData, recursive: true);
            Directory.Delete(workerData, recursive: true);
            await using (var fresh = await WebAppProcess.StartAsync(Role("all"), freshData, bootstrap: false))
            {
                using var api = fresh.CreateClient();
                Assert.Equal(report, await ReportAsync(api, id));

                // Deleting the analysis removes its results artifact and its upload from the workspace's repositories.
                var upload = await UploadDigestAsync(api, id);
                using (var deleted = await api.DeleteAsync(U($"api/v1/analyses/{id}")))
                {
                    Assert.True(deleted.IsSuccessStatusCode, $"DELETE answered {(int)deleted.StatusCode}");
                }
                Assert.DoesNotContain(tag, await TagsAsync(http, results));
                using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"v2/{results[..^"results".Length]}uploads/blobs/{upload}"));
                Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
            }
        }
        finally
        {
            await database.DisposeAsync();
            foreach (var directory in new[] { webData, workerData, freshData }.Where(Directory.Exists))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static async Task<byte[]> ReportAsync(HttpClient api, string id)
    {
        using var response = await api.GetAsync(U($"api/v1/analyses/{id}/report?format=json"));
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
        return body;
    }

    private static async Task<string> UploadDigestAsync(HttpClient api, string id)
    {
        var analysis = JsonDocument.Parse(await api.GetStringAsync(U($"api/v1/analyses/{id}"))).RootElement;
        return analysis.GetProperty("source").GetProperty("digest").GetString()
            ?? throw new InvalidOperationException($"the analysis resource names no upload digest: {analysis}");
    }

    private static async Task<byte[]> GunzipOrSelfAsync(byte[] bytes)
    {
        if (bytes.Length < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b)
        {
            return bytes;
        }
        await using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress);
        using var copy = new MemoryStream();
        await gzip.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static IEnumerable<string> Files(params string[] path)
    {
        var directory = Path.Combine(path);
        return Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories) : [];
    }

    private HttpClient RegistryHttp()
    {
        var http = new HttpClient { BaseAddress = registry.BaseUri };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{registry.Username}:{registry.Password}")));
        return http;
    }

    private static async Task<string> ResultsRepositoryAsync(HttpClient http)
    {
        var catalog = JsonDocument.Parse(await http.GetStringAsync(U("v2/_catalog"))).RootElement.GetProperty("repositories");
        return catalog.EnumerateArray().Select(r => r.GetString()!).Single(r => r.StartsWith("layerlens/ws-", StringComparison.Ordinal) && r.EndsWith("/results", StringComparison.Ordinal));
    }

    private static async Task<List<string>> TagsAsync(HttpClient http, string repository)
    {
        using var response = await http.GetAsync(U($"v2/{repository}/tags/list"));
        var tags = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return tags.TryGetProperty("tags", out var list) && list.ValueKind == JsonValueKind.Array ? [.. list.EnumerateArray().Select(t => t.GetString()!)] : [];
    }

    private static async Task<string> TreeAsync(HttpClient http, string repository, string tag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/manifests/{tag}");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        using var response = await http.SendAsync(request);
        var manifest = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("application/vnd.layerlens.result.v1", manifest.GetProperty("artifactType").GetString());
        var layer = manifest.GetProperty("layers").EnumerateArray()
            .Single(l => l.GetProperty("annotations").GetProperty("org.opencontainers.image.title").GetString() == "tree.bin");
        var path = Path.GetTempFileName();
        await File.WriteAllBytesAsync(path, await http.GetByteArrayAsync(U($"v2/{repository}/blobs/{layer.GetProperty("digest").GetString()}")));
        return path;
    }
}
