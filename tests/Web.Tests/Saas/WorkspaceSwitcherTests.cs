using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Saas;

/// <summary>
/// A user in two workspaces switches between them: pages and cookie-authenticated API calls follow the choice,
/// which is remembered for the user; a choice of a workspace they do not belong to is refused.
/// </summary>
public sealed partial class WorkspaceSwitcherTests(TwoWorkspacesApp app) : IClassFixture<TwoWorkspacesApp>
{
    private static Uri U(string path) => new(path, UriKind.Relative);

    private static async Task<List<string>> AnalysisIdsAsync(HttpClient http)
    {
        var list = await http.GetFromJsonAsync<JsonElement>(U("api/v1/analyses?pageSize=200"));
        return list.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetString()!).ToList();
    }

    /// <summary>The switcher's options: workspace name → id.</summary>
    private static Dictionary<string, string> Options(string html) =>
        SwitcherOption().Matches(html).ToDictionary(m => WebUtility.HtmlDecode(m.Groups[2].Value).Split(" (")[0], m => m.Groups[1].Value);

    private static async Task<HttpResponseMessage> SwitchAsync(CookieSession session, string workspaceId) =>
        await session.PostFormAsync("/", "/account/workspace", new() { ["workspace"] = workspaceId, ["returnUrl"] = "/" });

    [Fact]
    public async Task Switching_changes_what_the_dashboard_and_the_cookie_api_show_and_the_choice_is_remembered()
    {
        var alpha = await app.AnalyseScenarioAsync(app.Alpha, "switch-alpha");
        var beta = await app.AnalyseScenarioAsync(app.Beta, "switch-beta");

        using var session = await CookieSession.SignInAsync(app.App, TwoWorkspacesApp.BothEmail, TwoWorkspacesApp.BothPassword);
        // "beta" was joined first, so it is where a user who never chose acts.
        var dashboard = await session.GetPageAsync("/");
        Assert.Contains($"/analyses/{beta}", dashboard, StringComparison.Ordinal);
        Assert.DoesNotContain($"/analyses/{alpha}", dashboard, StringComparison.Ordinal);
        Assert.Contains(beta, await AnalysisIdsAsync(session.Http));
        var options = Options(dashboard);
        Assert.Equal(["beta", WebAppProcess.WorkspaceName], options.Keys.Order(StringComparer.Ordinal));

        using (var switched = await SwitchAsync(session, options[WebAppProcess.WorkspaceName]))
        {
            Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
            Assert.Equal("/", switched.Headers.Location?.OriginalString);
        }
        dashboard = await session.GetPageAsync("/");
        Assert.Contains($"/analyses/{alpha}", dashboard, StringComparison.Ordinal);
        Assert.DoesNotContain($"/analyses/{beta}", dashboard, StringComparison.Ordinal);
        var ids = await AnalysisIdsAsync(session.Http);
        Assert.Contains(alpha, ids);
        Assert.DoesNotContain(beta, ids);
        using (var page = await session.Http.GetAsync(U($"analyses/{beta}")))
        {
            Assert.DoesNotContain("switch-beta", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // API keys stay bound to their own workspace whatever a member chose.
        Assert.Contains(beta, await AnalysisIdsAsync(app.Beta));
        Assert.DoesNotContain(alpha, await AnalysisIdsAsync(app.Beta));

        // Remembered per user: a new sign-in (another browser) starts in the chosen workspace.
        using var again = await CookieSession.SignInAsync(app.App, TwoWorkspacesApp.BothEmail, TwoWorkspacesApp.BothPassword);
        Assert.Contains(alpha, await AnalysisIdsAsync(again.Http));
        Assert.DoesNotContain(beta, await AnalysisIdsAsync(again.Http));

        // Back to beta for the other tests of this fixture.
        using var back = await SwitchAsync(session, options["beta"]);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
    }

    [Fact]
    public async Task A_forged_choice_of_a_workspace_the_user_is_not_a_member_of_is_refused()
    {
        // Someone else's workspace: a new account signs up and gets its own.
        using var stranger = new CookieSession(app.App);
        using (var signUp = await stranger.PostFormAsync("/account/signup", "/account/signup",
            new() { ["email"] = "stranger@layerlens.test", ["password"] = "stranger-password-99", ["workspace"] = "strangers" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, signUp.StatusCode);
        }
        var strangers = Options(await stranger.GetPageAsync("/"))["strangers"];
        var strangerAnalysis = await app.AnalyseScenarioAsync(await stranger.ApiClientAsync(), "stranger-only");

        using var session = await CookieSession.SignInAsync(app.App, TwoWorkspacesApp.BothEmail, TwoWorkspacesApp.BothPassword);
        var before = await AnalysisIdsAsync(session.Http);
        foreach (var forged in new[] { strangers, Guid.NewGuid().ToString(), "not-a-guid" })
        {
            using var refused = await SwitchAsync(session, forged);
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }
        var after = await AnalysisIdsAsync(session.Http);
        Assert.DoesNotContain(strangerAnalysis, after);
        Assert.Equal(before.Order(StringComparer.Ordinal), after.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("strangers", await session.GetPageAsync("/"), StringComparison.Ordinal);
    }

    [GeneratedRegex("<option value=\"([0-9a-f-]{36})\"[^>]*>([^<]+)</option>")]
    private static partial Regex SwitcherOption();
}
