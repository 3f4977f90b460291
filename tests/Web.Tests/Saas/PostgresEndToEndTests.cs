using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.TestInfrastructure.WebApp;
using LayerLens.TestInfrastructure;

namespace LayerLens.Web.Tests.Saas;

/// <summary>The service end to end with LayerLens:DatabaseProvider=PostgreSql (and PostgreSQL job storage).</summary>
[Trait(Needs.Trait, Needs.PostgreSQL)]
public sealed class PostgresEndToEndTests(PostgresWorkspacesApp app) : IClassFixture<PostgresWorkspacesApp>
{
    private static Uri U(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task An_uploaded_image_is_analysed_with_the_hand_computed_numbers_and_its_reports_are_served()
    {
        var id = await app.AnalyseScenarioAsync(app.Alpha, "on-postgres");

        var analysis = await app.Alpha.GetFromJsonAsync<JsonElement>(U($"api/v1/analyses/{id}"));
        Assert.Equal("succeeded", analysis.GetProperty("status").GetString());
        Assert.Equal(ScenarioImage.WastedBytes, analysis.GetProperty("summary").GetProperty("wastedBytes").GetInt64());
        var report = await app.Alpha.GetFromJsonAsync<JsonElement>(U($"api/v1/analyses/{id}/report?format=json"));
        Assert.Equal(ScenarioImage.SizeBytes, report.GetProperty("image").GetProperty("sizeBytes").GetInt64());
        using var sarif = await app.Alpha.GetAsync(U($"api/v1/analyses/{id}/report?format=sarif"));
        Assert.Equal(HttpStatusCode.OK, sarif.StatusCode);
    }

    [Fact]
    public async Task Another_workspaces_objects_are_not_found_through_the_api()
    {
        var id = await app.AnalyseScenarioAsync(app.Alpha, "alpha-on-postgres");
        using var hook = await app.Alpha.PostAsJsonAsync(U("api/v1/webhooks"), new { url = "http://127.0.0.1:9/pg", events = new[] { "analysis.failed" }, secret = "0123456789abcdef-pg" });
        var hookId = (await hook.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using var key = await app.Alpha.PostAsJsonAsync(U("api/v1/keys"), new { name = "pg-key" });
        var keyId = (await key.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using var invitation = await app.Alpha.PostAsJsonAsync(U("api/v1/invitations"), new { email = "pg-invitee@layerlens.test", role = "member" });
        var invitationId = (await invitation.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, $"api/v1/analyses/{id}"),
            (HttpMethod.Get, $"api/v1/analyses/{id}/report?format=json"),
            (HttpMethod.Post, $"api/v1/analyses/{id}/retry"),
            (HttpMethod.Delete, $"api/v1/analyses/{id}"),
            (HttpMethod.Get, $"api/v1/webhooks/{hookId}/deliveries"),
            (HttpMethod.Delete, $"api/v1/webhooks/{hookId}"),
            (HttpMethod.Delete, $"api/v1/keys/{keyId}"),
            (HttpMethod.Delete, $"api/v1/invitations/{invitationId}"),
        })
        {
            using var response = await app.Beta.SendAsync(new HttpRequestMessage(method, U(path)));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered {(int)response.StatusCode}");
        }
        var betaAnalyses = await app.Beta.GetFromJsonAsync<JsonElement>(U("api/v1/analyses?pageSize=200"));
        Assert.DoesNotContain(betaAnalyses.GetProperty("items").EnumerateArray(), a => a.GetProperty("id").GetString() == id);
        Assert.DoesNotContain(id!, await app.Beta.GetStringAsync(U("api/v1/audit")), StringComparison.Ordinal);
        using var still = await app.Alpha.GetAsync(U($"api/v1/analyses/{id}"));
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    [Fact]
    public async Task The_workspace_switcher_works_on_postgresql()
    {
        var alpha = await app.AnalyseScenarioAsync(app.Alpha, "pg-switch-alpha");
        using var session = await CookieSession.SignInAsync(app.App, TwoWorkspacesApp.BothEmail, TwoWorkspacesApp.BothPassword);
        Assert.DoesNotContain(alpha, await session.GetPageAsync("/"), StringComparison.Ordinal);
        var testWorkspace = System.Text.RegularExpressions.Regex.Match(await session.GetPageAsync("/"),
            $"<option value=\"([0-9a-f-]{{36}})\"[^>]*>{WebAppProcess.WorkspaceName} \\(").Groups[1].Value;
        using var switched = await session.PostFormAsync("/", "/account/workspace", new() { ["workspace"] = testWorkspace });
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        Assert.Contains($"/analyses/{alpha}", await session.GetPageAsync("/"), StringComparison.Ordinal);
    }
}
