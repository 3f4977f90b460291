using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace LayerLens.Web.Tests.Saas;

/// <summary>Every API endpoint across two workspaces: another workspace's object is 404; credentials and scopes gate the rest.</summary>
public sealed class IsolationAndScopeTests(TwoWorkspacesApp app) : IClassFixture<TwoWorkspacesApp>
{
    private static Uri U(string path) => new(path, UriKind.Relative);

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Another_workspaces_analysis_is_not_found_through_every_analysis_endpoint()
    {
        var id = await app.AnalyseScenarioAsync(app.Alpha, "alpha-only");

        using (var own = await app.Alpha.GetAsync(U($"api/v1/analyses/{id}")))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, $"api/v1/analyses/{id}"),
            (HttpMethod.Get, $"api/v1/analyses/{id}/report?format=json"),
            (HttpMethod.Get, $"api/v1/analyses/{id}/report?format=sarif"),
            (HttpMethod.Post, $"api/v1/analyses/{id}/cancel"),
            (HttpMethod.Post, $"api/v1/analyses/{id}/retry"),
            (HttpMethod.Delete, $"api/v1/analyses/{id}"),
        })
        {
            using var response = await app.Beta.SendAsync(new HttpRequestMessage(method, U(path)));
            await AssertProblemAsync(response, HttpStatusCode.NotFound);
        }

        var betaList = await app.Beta.GetFromJsonAsync<JsonElement>(U("api/v1/analyses?pageSize=200"));
        Assert.DoesNotContain(betaList.GetProperty("items").EnumerateArray(), a => a.GetProperty("id").GetString() == id);
        var alphaList = await app.Alpha.GetFromJsonAsync<JsonElement>(U("api/v1/analyses?pageSize=200"));
        Assert.Contains(alphaList.GetProperty("items").EnumerateArray(), a => a.GetProperty("id").GetString() == id);

        // Beta's delete did nothing: the analysis is still alpha's.
        using var still = await app.Alpha.GetAsync(U($"api/v1/analyses/{id}"));
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    [Fact]
    public async Task Projects_of_the_same_name_in_two_workspaces_stay_apart()
    {
        using var alphaPost = await app.Alpha.PostAsJsonAsync(U("api/v1/analyses"), new { image = "127.0.0.1:1/none/app:1", project = "shared-name" });
        using var betaPost = await app.Beta.PostAsJsonAsync(U("api/v1/analyses"), new { image = "127.0.0.1:1/none/app:2", project = "shared-name" });
        Assert.Equal(HttpStatusCode.Accepted, alphaPost.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, betaPost.StatusCode);
        var alpha = await app.Alpha.GetFromJsonAsync<JsonElement>(U("api/v1/analyses?project=shared-name"));
        var beta = await app.Beta.GetFromJsonAsync<JsonElement>(U("api/v1/analyses?project=shared-name"));
        Assert.Equal(["127.0.0.1:1/none/app:1"], alpha.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("source").GetProperty("reference").GetString()));
        Assert.Equal(["127.0.0.1:1/none/app:2"], beta.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("source").GetProperty("reference").GetString()));
    }

    [Fact]
    public async Task Another_workspaces_webhook_is_not_found_and_not_listed()
    {
        using var created = await app.Alpha.PostAsJsonAsync(U("api/v1/webhooks"), new { url = "http://127.0.0.1:9/hook", events = new[] { "analysis.failed" }, secret = "0123456789abcdef-alpha" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var hookId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var betaHooks = await app.Beta.GetFromJsonAsync<JsonElement>(U("api/v1/webhooks"));
        Assert.DoesNotContain(betaHooks.EnumerateArray(), h => h.GetProperty("id").GetString() == hookId);
        using (var deliveries = await app.Beta.GetAsync(U($"api/v1/webhooks/{hookId}/deliveries")))
        {
            await AssertProblemAsync(deliveries, HttpStatusCode.NotFound);
        }
        using (var delete = await app.Beta.DeleteAsync(U($"api/v1/webhooks/{hookId}")))
        {
            await AssertProblemAsync(delete, HttpStatusCode.NotFound);
        }
        var alphaHooks = await app.Alpha.GetFromJsonAsync<JsonElement>(U("api/v1/webhooks"));
        var mine = Assert.Single(alphaHooks.EnumerateArray(), h => h.GetProperty("id").GetString() == hookId);
        // The secret is never shown after creation.
        Assert.False(mine.TryGetProperty("secret", out _));
        Assert.DoesNotContain("0123456789abcdef-alpha", alphaHooks.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_workspace_reads_only_its_own_audit_log_and_it_never_holds_a_secret()
    {
        using var created = await app.Beta.PostAsJsonAsync(U("api/v1/webhooks"), new { url = "http://127.0.0.1:9/beta-only", events = new[] { "analysis.failed" }, secret = "beta-secret-never-logged" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var beta = await app.Beta.GetStringAsync(U("api/v1/audit"));
        var alpha = await app.Alpha.GetStringAsync(U("api/v1/audit"));
        Assert.Contains("beta-only", beta, StringComparison.Ordinal);
        Assert.Contains("webhook.created", beta, StringComparison.Ordinal);
        Assert.DoesNotContain("beta-only", alpha, StringComparison.Ordinal);
        Assert.DoesNotContain("beta-secret-never-logged", beta, StringComparison.Ordinal);
        Assert.DoesNotContain("beta-secret-never-logged", app.App.Log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "api/v1/audit")]
    [InlineData("GET", "api/v1/projects/x/policy")]
    [InlineData("PUT", "api/v1/projects/x/policy")]
    [InlineData("POST", "api/v1/hooks/registry")]
    [InlineData("GET", "api/v1/analyses")]
    [InlineData("POST", "api/v1/analyses")]
    [InlineData("GET", "api/v1/analyses/00000000-0000-0000-0000-000000000001")]
    [InlineData("GET", "api/v1/webhooks")]
    [InlineData("POST", "api/v1/webhooks")]
    public async Task Without_credentials_or_with_an_unknown_key_the_api_answers_401(string method, string path)
    {
        using var anonymous = app.App.CreateClient(apiKey: null);
        using (var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), U(path))))
        {
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        }
        using var wrong = app.App.CreateClient("llk_not_a_key_of_this_server_000000000");
        using (var response = await wrong.SendAsync(new HttpRequestMessage(new HttpMethod(method), U(path))))
        {
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task A_read_only_key_reads_but_may_not_start_analyses_or_manage_webhooks()
    {
        using var readOnly = app.App.CreateClient(TwoWorkspacesApp.BetaReadOnlyKey);
        using (var list = await readOnly.GetAsync(U("api/v1/analyses")))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        }
        using (var post = await readOnly.PostAsJsonAsync(U("api/v1/analyses"), new { image = "127.0.0.1:1/x/y:1" }))
        {
            await AssertProblemAsync(post, HttpStatusCode.Forbidden);
        }
        using (var hooks = await readOnly.GetAsync(U("api/v1/webhooks")))
        {
            await AssertProblemAsync(hooks, HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task Pages_need_a_signed_in_user()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.App.BaseAddress };
        using var response = await anonymous.GetAsync(U("analyses/new"));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/signin", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }
}
