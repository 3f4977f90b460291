using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LayerLens.TestInfrastructure;

namespace LayerLens.Web.Tests.Saas;

/// <summary>
/// <c>GET /api/v1/analyses?repository=</c> against real rows made through the API: registry analyses of loopback
/// registries (queued, then failing to pull, which is irrelevant: the filter is what is tested) and uploads named
/// like images. Each test uses its own team name, so the class's rows do not meet. Run on SQLite and on
/// PostgreSQL: the filter is SQL (string functions and LIKE escaping differ between providers).
/// </summary>
public abstract class RepositoryFilterApiTests(TwoWorkspacesApp app)
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static Uri U(string path) => new(path, UriKind.Relative);

    // Each analysis is waited out (it fails: nothing listens on port 1, the upload is not a tar) so a workspace's
    // quota of active analyses never refuses the next one.
    private async Task<string> RegistryAsync(HttpClient http, string image)
    {
        using var response = await http.PostAsJsonAsync(U("api/v1/analyses"), new { image });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await app.WaitAsync(http, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
    }

    private async Task<string> UploadAsync(HttpClient http, string name)
    {
        using var content = new ByteArrayContent("not a tar, and it does not need to be"u8.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
        using var response = await http.PostAsync(U("api/v1/analyses?name=" + Uri.EscapeDataString(name)), content);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await app.WaitAsync(http, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
    }

    private static async Task<HashSet<string>> IdsAsync(HttpClient http, string query)
    {
        var page = await http.GetFromJsonAsync<JsonElement>(U("api/v1/analyses?pageSize=200&" + query));
        var ids = page.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetString()!).ToHashSet();
        Assert.Equal(ids.Count, page.GetProperty("total").GetInt32());
        return ids;
    }

    private static async Task<HashSet<string>> MatchAsync(HttpClient http, string repository) =>
        await IdsAsync(http, "repository=" + Uri.EscapeDataString(repository));

    [Fact]
    public async Task Each_form_of_the_filter_returns_exactly_the_analyses_of_that_repository_whatever_their_tag_or_digest()
    {
        var http = app.Alpha;
        var tagged = await RegistryAsync(http, "127.0.0.1:1/team/app:1");
        var digested = await RegistryAsync(http, $"127.0.0.1:1/team/app@{Digest}");
        var other = await RegistryAsync(http, "127.0.0.1:1/team/other:1");
        var otherRegistry = await RegistryAsync(http, "127.0.0.2:1/team/app:4");
        var upperHost = await RegistryAsync(http, "LOCALHOST:1/team/app:7");
        var deeper = await RegistryAsync(http, "127.0.0.1:1/x/team/app:1");
        var longer = await RegistryAsync(http, "127.0.0.1:1/team/application:1");
        var dashed = await RegistryAsync(http, "127.0.0.1:1/team/app-x:1");
        var topLevel = await RegistryAsync(http, "127.0.0.1:1/nginx:1");
        var hubUpload = await UploadAsync(http, "team/app:2");
        var hostUpload = await UploadAsync(http, "127.0.0.1:1/team/app:9");
        var nginxUpload = await UploadAsync(http, "nginx:1.27");
        var unnamed = await UploadAsync(http, "my build of app");

        HashSet<string> anyRegistry = [tagged, digested, otherRegistry, upperHost, hubUpload, hostUpload];
        Assert.Equal(anyRegistry, await MatchAsync(http, "team/app"));
        Assert.Equal(anyRegistry, await MatchAsync(http, "team/app:2"));
        Assert.Equal(anyRegistry, await MatchAsync(http, $"team/app@{Digest}"));
        HashSet<string> onLoopback = [tagged, digested, hostUpload];
        Assert.Equal(onLoopback, await MatchAsync(http, "127.0.0.1:1/team/app"));
        Assert.Equal(onLoopback, await MatchAsync(http, "127.0.0.1:1/team/app:whatever"));
        Assert.Equal(onLoopback, await MatchAsync(http, $"127.0.0.1:1/team/app@{Digest}"));
        Assert.Equal([upperHost], await MatchAsync(http, "LocalHost:1/team/app"));
        Assert.Equal([hubUpload], await MatchAsync(http, "docker.io/team/app"));
        Assert.Equal([hubUpload], await MatchAsync(http, "index.docker.io/team/app:latest"));
        Assert.Equal([other], await MatchAsync(http, "team/other"));
        Assert.Equal([deeper], await MatchAsync(http, "x/team/app"));
        Assert.Equal([longer], await MatchAsync(http, "team/application"));
        Assert.Equal([dashed], await MatchAsync(http, "team/app-x"));
        Assert.Empty(await MatchAsync(http, "team/app_x"));
        Assert.Empty(await MatchAsync(http, "team/ap"));
        Assert.Equal([topLevel, nginxUpload], await MatchAsync(http, "nginx"));
        Assert.Equal([nginxUpload], await MatchAsync(http, "docker.io/library/nginx"));
        Assert.DoesNotContain(unnamed, await MatchAsync(http, "app"));

        // 'reference' keeps its exact meaning.
        Assert.Equal([tagged], await IdsAsync(http, "reference=" + Uri.EscapeDataString("127.0.0.1:1/team/app:1")));
        Assert.Empty(await IdsAsync(http, "reference=team/app"));
    }

    [Fact]
    public async Task Another_workspaces_analyses_of_the_same_repository_are_never_returned()
    {
        var alpha = new[] { await RegistryAsync(app.Alpha, "127.0.0.1:1/iso/app:1"), await UploadAsync(app.Alpha, "iso/app:1") }.ToHashSet();
        var beta = new[] { await RegistryAsync(app.Beta, "127.0.0.1:1/iso/app:1"), await UploadAsync(app.Beta, "iso/app:1") }.ToHashSet();

        foreach (var filter in new[] { "iso/app", "127.0.0.1:1/iso/app", "docker.io/iso/app:1" })
        {
            Assert.Empty((await MatchAsync(app.Alpha, filter)).Intersect(beta));
            Assert.Empty((await MatchAsync(app.Beta, filter)).Intersect(alpha));
        }
        Assert.Equal(alpha, await MatchAsync(app.Alpha, "iso/app"));
        Assert.Equal(beta, await MatchAsync(app.Beta, "iso/app"));
    }

    [Fact]
    public async Task Pages_of_a_filtered_list_hold_every_match_once_with_the_filtered_total()
    {
        var expected = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            expected.Add(await RegistryAsync(app.Alpha, $"127.0.0.1:1/paged/app:{i}"));
        }
        await RegistryAsync(app.Alpha, "127.0.0.1:1/paged/noise:1");
        var seen = new List<string>();
        for (var number = 1; number <= 3; number++)
        {
            var page = await app.Alpha.GetFromJsonAsync<JsonElement>(U($"api/v1/analyses?repository=paged/app&pageSize=2&page={number}"));
            Assert.Equal(5, page.GetProperty("total").GetInt32());
            var items = page.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetString()!).ToList();
            Assert.Equal(number < 3 ? 2 : 1, items.Count);
            seen.AddRange(items);
        }
        Assert.Equal(expected.Count, seen.Count);
        Assert.Equal(expected, seen.ToHashSet());
    }

    [Theory]
    [InlineData("Team/App")]
    [InlineData("team//app")]
    [InlineData("https://registry.example.com/team/app")]
    [InlineData("team/app@sha256:nothex")]
    [InlineData("team/app%")]
    public async Task A_malformed_repository_is_a_400_that_names_the_parameter(string repository)
    {
        using var response = await app.Alpha.GetAsync(U("api/v1/analyses?repository=" + Uri.EscapeDataString(repository)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains("'repository'", detail);
    }
}

public sealed class SqliteRepositoryFilterApiTests(TwoWorkspacesApp app) : RepositoryFilterApiTests(app), IClassFixture<TwoWorkspacesApp>;

[Trait(Needs.Trait, Needs.PostgreSQL)]
public sealed class PostgresRepositoryFilterApiTests(PostgresWorkspacesApp app) : RepositoryFilterApiTests(app), IClassFixture<PostgresWorkspacesApp>;
