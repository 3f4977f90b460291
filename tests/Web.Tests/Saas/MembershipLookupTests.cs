using System.Net;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Saas;

/// <summary>
/// A signed-in user's memberships are read once per request, by the workspace middleware, and the app bar's
/// switcher reuses that read; static assets read none. Counted from the app's own SQL log.
/// </summary>
[Collection(SqlLogCollection.Name)]
public sealed class MembershipLookupTests(SqlLogApp app)
{
    private const string Marker = "/projects";

    /// <summary>Loads the marker page; the commands logged before its membership read.</summary>
    private async Task<List<SqlLogApp.Command>> CommandsBeforeMarkerAsync(CookieSession session, int offset)
    {
        await session.GetPageAsync(Marker);
        return await app.CommandsBeforeAsync(offset, c => c.RequestPath == Marker && c.Reads("WorkspaceMembers"));
    }

    [Fact]
    public async Task Static_assets_requested_by_a_signed_in_user_read_no_memberships()
    {
        using var session = await CookieSession.SignInAsync(app.App, WebAppProcess.AdminEmail, WebAppProcess.AdminPassword);
        var offset = app.App.Log.Length;
        string[] assets = ["/_framework/blazor.web.js", "/_content/MudBlazor/MudBlazor.min.css", "/_content/MudBlazor/MudBlazor.min.js", "/app.css", "/upload.js"];
        foreach (var asset in assets)
        {
            using var response = await session.Http.GetAsync(new Uri(asset, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var before = await CommandsBeforeMarkerAsync(session, offset);

        Assert.DoesNotContain(before, c => assets.Contains(c.RequestPath));
    }

    [Fact]
    public async Task A_page_with_the_workspace_switcher_reads_the_memberships_once()
    {
        using var session = await CookieSession.SignInAsync(app.App, WebAppProcess.AdminEmail, WebAppProcess.AdminPassword);
        var offset = app.App.Log.Length;
        var page = await session.GetPageAsync("/");
        Assert.Contains("data-testid=\"workspace-switcher\"", page, StringComparison.Ordinal);

        var before = await CommandsBeforeMarkerAsync(session, offset);

        Assert.Single(before, c => c.RequestPath == "/" && c.Reads("WorkspaceMembers"));
    }
}
