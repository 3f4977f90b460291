using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace LayerLens.Web.Tests.Saas;

/// <summary>Invitations through the API and the link: sign up through it, accept it signed in, once, unless revoked; per workspace.</summary>
public sealed class InvitationFlowTests(TwoWorkspacesApp app) : IClassFixture<TwoWorkspacesApp>
{
    private static Uri U(string path) => new(path, UriKind.Relative);

    private static async Task<(string Id, string Path)> InviteAsync(HttpClient owner, string email, string role)
    {
        using var created = await owner.PostAsJsonAsync(U("api/v1/invitations"), new { email, role });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(role, body.GetProperty("role").GetString());
        return (body.GetProperty("id").GetString()!, new Uri(body.GetProperty("link").GetString()!).AbsolutePath);
    }

    private static string Token(string path) => path["/invitations/".Length..];

    [Fact]
    public async Task Signing_up_through_a_link_joins_the_workspace_with_the_role_once_and_the_link_is_dead_afterwards()
    {
        var analysis = await app.AnalyseScenarioAsync(app.Alpha, "for-the-invitee");
        var (id, path) = await InviteAsync(app.Alpha, "viewer-invitee@layerlens.test", "viewer");

        using var invitee = new CookieSession(app.App);
        var page = await invitee.GetPageAsync(path);
        Assert.Contains("data-testid=\"invitation-summary\"", page, StringComparison.Ordinal);
        Assert.Contains("viewer-invitee@layerlens.test", page, StringComparison.Ordinal);
        using (var signUp = await invitee.PostFormAsync(path, "/account/invitations/signup", new() { ["token"] = Token(path), ["password"] = "invited-viewer-pass-1" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, signUp.StatusCode);
            Assert.Equal("/", signUp.Headers.Location?.OriginalString);
        }
        // The new account acts in the inviting workspace with the viewer's scopes.
        var list = await invitee.Http.GetFromJsonAsync<JsonElement>(U("api/v1/analyses?pageSize=200"));
        Assert.Contains(list.GetProperty("items").EnumerateArray(), a => a.GetProperty("id").GetString() == analysis);
        var http = await invitee.ApiClientAsync();
        using (var write = await http.PostAsJsonAsync(U("api/v1/analyses"), new { image = "127.0.0.1:1/x/y:1" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        }

        // Used: the link shows nothing to accept, and a replay creates no account.
        using var replay = new CookieSession(app.App);
        Assert.Contains("data-testid=\"invitation-invalid\"", await replay.GetPageAsync(path), StringComparison.Ordinal);
        using (var again = await replay.PostFormAsync("/account/signup", "/account/invitations/signup", new() { ["token"] = Token(path), ["password"] = "another-password-22" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
            Assert.Contains("error=", again.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        var invitations = await app.Alpha.GetFromJsonAsync<JsonElement>(U("api/v1/invitations"));
        Assert.Equal("accepted", invitations.EnumerateArray().Single(i => i.GetProperty("id").GetString() == id).GetProperty("state").GetString());
        var audit = await app.Alpha.GetStringAsync(U("api/v1/audit"));
        Assert.Contains("invitation.created", audit, StringComparison.Ordinal);
        Assert.Contains("invitation.accepted", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(Token(path), audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_in_account_accepts_an_invitation_addressed_to_it_and_lands_in_that_workspace()
    {
        using var person = new CookieSession(app.App);
        using (var signUp = await person.PostFormAsync("/account/signup", "/account/signup",
            new() { ["email"] = "joiner@layerlens.test", ["password"] = "joiner-password-77", ["workspace"] = "joiner-own" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, signUp.StatusCode);
        }
        var betaAnalysis = await app.AnalyseScenarioAsync(app.Beta, "for-the-joiner");
        var (_, path) = await InviteAsync(app.Beta, "joiner@layerlens.test", "member");

        using (var accept = await person.PostFormAsync(path, "/account/invitations/accept", new() { ["token"] = Token(path) }))
        {
            Assert.Equal(HttpStatusCode.Redirect, accept.StatusCode);
            Assert.Equal("/", accept.Headers.Location?.OriginalString);
        }
        var list = await person.Http.GetFromJsonAsync<JsonElement>(U("api/v1/analyses?pageSize=200"));
        Assert.Contains(list.GetProperty("items").EnumerateArray(), a => a.GetProperty("id").GetString() == betaAnalysis);
        Assert.Contains("joiner-own", await person.GetPageAsync("/"), StringComparison.Ordinal); // still in the switcher
    }

    [Fact]
    public async Task An_invitation_for_another_address_is_not_accepted()
    {
        using var person = new CookieSession(app.App);
        using (await person.PostFormAsync("/account/signup", "/account/signup",
            new() { ["email"] = "wrong-person@layerlens.test", ["password"] = "wrong-person-pass-5", ["workspace"] = "wrong-own" }))
        {
        }
        var (id, path) = await InviteAsync(app.Beta, "right-person@layerlens.test", "owner");
        using (var accept = await person.PostFormAsync(path, "/account/invitations/accept", new() { ["token"] = Token(path) }))
        {
            Assert.Contains("error=", accept.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }
        var invitations = await app.Beta.GetFromJsonAsync<JsonElement>(U("api/v1/invitations"));
        Assert.Equal("open", invitations.EnumerateArray().Single(i => i.GetProperty("id").GetString() == id).GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_revoked_invitation_is_dead_and_another_workspace_can_neither_see_nor_revoke_one()
    {
        var (id, path) = await InviteAsync(app.Alpha, "revoked-invitee@layerlens.test", "member");

        var betaList = await app.Beta.GetFromJsonAsync<JsonElement>(U("api/v1/invitations"));
        Assert.DoesNotContain(betaList.EnumerateArray(), i => i.GetProperty("id").GetString() == id);
        using (var foreign = await app.Beta.DeleteAsync(U($"api/v1/invitations/{id}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        }
        using (var readOnly = app.App.CreateClient(TwoWorkspacesApp.BetaReadOnlyKey))
        using (var forbidden = await readOnly.GetAsync(U("api/v1/invitations")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        using (var revoke = await app.Alpha.DeleteAsync(U($"api/v1/invitations/{id}")))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }
        using var invitee = new CookieSession(app.App);
        Assert.Contains("data-testid=\"invitation-invalid\"", await invitee.GetPageAsync(path), StringComparison.Ordinal);
        using (var signUp = await invitee.PostFormAsync("/account/signup", "/account/invitations/signup", new() { ["token"] = Token(path), ["password"] = "revoked-invitee-pass" }))
        {
            Assert.Contains("error=", signUp.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }
        var list = await app.Alpha.GetFromJsonAsync<JsonElement>(U("api/v1/invitations"));
        Assert.Equal("revoked", list.EnumerateArray().Single(i => i.GetProperty("id").GetString() == id).GetProperty("state").GetString());
        Assert.Contains("invitation.revoked", await app.Alpha.GetStringAsync(U("api/v1/audit")), StringComparison.Ordinal);
    }
}
