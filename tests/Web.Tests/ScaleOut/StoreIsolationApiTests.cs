using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LayerLens.TestInfrastructure;
using LayerLens.Web.Tests.Hosting;
using Xunit.Abstractions;

namespace LayerLens.Web.Tests.ScaleOut;

/// <summary>
/// The shared store is a registry the workers can read with the store's credentials, and the API lets a workspace
/// have an image pulled from any registry it names. Workspace B names the store itself — every manifest workspace
/// A's upload left there, by repository and digest — and must get nothing: a pull B asks for is never made with
/// the store's credentials, and B's own reads of A's analysis are refused.
/// </summary>
[Trait(Needs.Trait, Needs.PostgreSQL)]
[Trait(Needs.Trait, Needs.Registry)]
public sealed class StoreIsolationApiTests(ITestOutputHelper output)
{
    private const string OtherKey = "llk_other_workspace_key_0123456789abcdef";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Workspace_B_cannot_have_As_stored_artefacts_analysed_by_naming_them_in_the_store_registry()
    {
        await using var cluster = await ScaleOutCluster.StartAsync();
        var node = await cluster.StartNodeAsync("all", bootstrap: true, new Dictionary<string, string>
        {
            ["LayerLens__Bootstrap__Workspaces__1__Name"] = "other",
            ["LayerLens__Bootstrap__Workspaces__1__ApiKey"] = OtherKey,
            ["LayerLens__Bootstrap__Workspaces__1__AdminEmail"] = "other@layerlens.test",
            ["LayerLens__Bootstrap__Workspaces__1__AdminPassword"] = "other-workspace-owner-9",
        });
        using var a = node.CreateClient();
        using var b = node.CreateClient(OtherKey);

        var secret = await ScaleOutSubmissions.UploadAsync(a, "secret", ScaleOutSubmissions.SyntheticArchive(7), "srv7");
        Assert.Equal("succeeded", await RoleApps.WaitForEndAsync(a, secret.Id, Patience, () => cluster.Logs));

        // What A's analysis left in the store, read as an operator would (the store's own credentials).
        var uploadDigest = (await a.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/analyses/{secret.Id}", UriKind.Relative))).GetProperty("source").GetProperty("digest").GetString()!;
        var stored = await StoredManifestsAsync(cluster, uploadDigest);
        output.WriteLine($"in the store: {string.Join(", ", stored)}");
        // A's results are an OCI artifact in the store (a tagged manifest), besides the upload's blob.
        Assert.Contains(stored, r => !r.EndsWith(uploadDigest, StringComparison.Ordinal));

        foreach (var reference in stored)
        {
            using var response = await b.PostAsJsonAsync(new Uri("api/v1/analyses", UriKind.Relative), new { image = reference });
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                Assert.True((int)response.StatusCode is >= 400 and < 500, $"{reference}: {(int)response.StatusCode} {body}");
                continue;
            }
            var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
            var status = await RoleApps.WaitForEndAsync(b, id, Patience, () => cluster.Logs);
            Assert.True(status == "failed", $"workspace B's pull of {reference} ended {status}:\n{cluster.Logs}");
            // Refused for want of credentials: the pull B asked for was not made with the store's own.
            var error = (await b.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/analyses/{id}", UriKind.Relative))).GetProperty("error").GetString();
            Assert.Contains("credentials", error, StringComparison.OrdinalIgnoreCase);
            using var report = await b.GetAsync(new Uri($"api/v1/analyses/{id}/report?format=json", UriKind.Relative));
            Assert.NotEqual(HttpStatusCode.OK, report.StatusCode);
        }

        // And by A's analysis id: not B's to read.
        using (var direct = await b.GetAsync(new Uri($"api/v1/analyses/{secret.Id}/report?format=json", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, direct.StatusCode);
        }
    }

    /// <summary>Every tagged manifest in the store registry, and the upload's digest in every repository, as <c>host/repository@digest</c>.</summary>
    private static async Task<List<string>> StoredManifestsAsync(ScaleOutCluster cluster, string uploadDigest)
    {
        using var http = new HttpClient { BaseAddress = cluster.Store.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{cluster.Store.Username}:{cluster.Store.Password}")));
        var catalog = await http.GetFromJsonAsync<JsonElement>(new Uri("v2/_catalog?n=1000", UriKind.Relative));
        var references = new List<string>();
        foreach (var repository in catalog.GetProperty("repositories").EnumerateArray().Select(r => r.GetString()!))
        {
            // A's upload is a blob of its uploads repository: named as if it were a manifest, too.
            references.Add($"{cluster.Store.Address}/{repository}@{uploadDigest}");
            using var list = await http.GetAsync(new Uri($"v2/{repository}/tags/list", UriKind.Relative));
            if (!list.IsSuccessStatusCode)
            {
                continue; // blobs only, no tag
            }
            var tags = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement;
            if (tags.GetProperty("tags").ValueKind != JsonValueKind.Array)
            {
                continue;
            }
            foreach (var tag in tags.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!))
            {
                using var head = new HttpRequestMessage(HttpMethod.Head, new Uri($"v2/{repository}/manifests/{tag}", UriKind.Relative));
                head.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
                head.Headers.Accept.ParseAdd("application/vnd.oci.image.index.v1+json");
                head.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
                using var response = await http.SendAsync(head);
                if (response.Headers.TryGetValues("Docker-Content-Digest", out var digest))
                {
                    references.Add($"{cluster.Store.Address}/{repository}@{digest.First()}");
                }
            }
        }
        return references;
    }
}
