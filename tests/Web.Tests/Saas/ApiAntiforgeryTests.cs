using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Saas;

/// <summary>Cookie-authenticated API calls that change something need the page's antiforgery token; API keys do not.</summary>
public sealed class ApiAntiforgeryTests(TwoWorkspacesApp app) : IClassFixture<TwoWorkspacesApp>
{
    private static Uri U(string path) => new(path, UriKind.Relative);

    private static object Hook(string name) => new { url = $"http://127.0.0.1:9/{name}", events = new[] { "analysis.failed" }, secret = "0123456789abcdef-csrf" };

    [Fact]
    public async Task A_signed_in_browser_needs_the_token_for_unsafe_calls_and_an_api_key_never_does()
    {
        using var session = await CookieSession.SignInAsync(app.App, WebAppProcess.AdminEmail, WebAppProcess.AdminPassword);

        // Reading needs no token.
        using (var list = await session.Http.GetAsync(U("api/v1/webhooks")))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        }
        // Without the token (what a cross-site form or script could send along with the cookie): refused, nothing created.
        using (var forged = await session.Http.PostAsJsonAsync(U("api/v1/webhooks"), Hook("forged")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
            Assert.Equal("Antiforgery token required", (await forged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        }
        using (var wrong = new HttpRequestMessage(HttpMethod.Post, U("api/v1/webhooks")) { Content = JsonContent.Create(Hook("wrong")) })
        {
            wrong.Headers.Add(CookieSession.TokenHeader, "not-a-token");
            using var response = await session.Http.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        var hooks = await session.Http.GetFromJsonAsync<JsonElement>(U("api/v1/webhooks"));
        Assert.DoesNotContain(hooks.EnumerateArray(), h => h.GetProperty("url").GetString()!.EndsWith("/forged", StringComparison.Ordinal));

        // With the page's token: accepted, and a DELETE likewise.
        var http = await session.ApiClientAsync();
        using var created = await http.PostAsJsonAsync(U("api/v1/webhooks"), Hook("with-token"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        http.DefaultRequestHeaders.Remove(CookieSession.TokenHeader);
        using (var deleteWithout = await http.DeleteAsync(U($"api/v1/webhooks/{id}")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, deleteWithout.StatusCode);
        }
        await session.ApiClientAsync();
        using (var delete = await http.DeleteAsync(U($"api/v1/webhooks/{id}")))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        // A bearer key sends no token and is not asked for one.
        using var keyed = await app.Alpha.PostAsJsonAsync(U("api/v1/webhooks"), Hook("bearer"));
        Assert.Equal(HttpStatusCode.Created, keyed.StatusCode);
    }
}
