using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Saas;

public sealed class RateLimitTests
{
    [Fact]
    public async Task Past_the_per_key_limit_the_api_answers_429_with_retry_after_and_other_keys_are_unaffected()
    {
        await using var app = await WebAppProcess.StartAsync(new Dictionary<string, string>
        {
            ["LayerLens__RateLimits__RequestsPerKey"] = "3",
            ["LayerLens__RateLimits__WindowSeconds"] = "120",
            ["LayerLens__Bootstrap__Workspaces__1__Name"] = "other",
            ["LayerLens__Bootstrap__Workspaces__1__ApiKey"] = "llk_other_bootstrap_key_0123456789abcdef",
        });
        using var http = app.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            using var ok = await http.GetAsync(new Uri("api/v1/analyses", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using var limited = await http.GetAsync(new Uri("api/v1/analyses", UriKind.Relative));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 120);
        Assert.Equal(429, (await limited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());

        using var other = app.CreateClient("llk_other_bootstrap_key_0123456789abcdef");
        using var fine = await other.GetAsync(new Uri("api/v1/analyses", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
        // Health stays outside the limits.
        using var health = await http.GetAsync(new Uri("healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Past_the_per_workspace_limit_every_key_of_that_workspace_gets_429_and_other_workspaces_do_not()
    {
        const string SecondKey = "llk_test_second_key_0123456789abcdef";
        const string OtherKey = "llk_other_bootstrap_key_0123456789abcdef";
        await using var app = await WebAppProcess.StartAsync(new Dictionary<string, string>
        {
            ["LayerLens__RateLimits__RequestsPerKey"] = "10",
            ["LayerLens__RateLimits__RequestsPerWorkspace"] = "4",
            ["LayerLens__RateLimits__WindowSeconds"] = "120",
            // A second key of the same workspace, and a key of another workspace.
            ["LayerLens__Bootstrap__Workspaces__1__Name"] = WebAppProcess.WorkspaceName,
            ["LayerLens__Bootstrap__Workspaces__1__ApiKey"] = SecondKey,
            ["LayerLens__Bootstrap__Workspaces__2__Name"] = "other",
            ["LayerLens__Bootstrap__Workspaces__2__ApiKey"] = OtherKey,
        });
        using var first = app.CreateClient();
        using var second = app.CreateClient(SecondKey);
        var uri = new Uri("api/v1/analyses", UriKind.Relative);
        // Two requests per key: each key is far below its own limit of 10, the workspace reaches its 4.
        foreach (var http in new[] { first, second, first, second })
        {
            using var ok = await http.GetAsync(uri);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        foreach (var http in new[] { first, second })
        {
            using var limited = await http.GetAsync(uri);
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        }
        using var other = app.CreateClient(OtherKey);
        using var fine = await other.GetAsync(uri);
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
    }
}
