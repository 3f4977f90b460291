using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace LayerLens.Web.Tests.Saas;

/// <summary>/api/v1/keys: the key is shown once, never listed, scoped, revocable, audited and invisible to other workspaces.</summary>
public sealed class ApiKeysApiTests(TwoWorkspacesApp app) : IClassFixture<TwoWorkspacesApp>
{
    private static Uri U(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task A_created_key_works_with_its_scopes_is_listed_without_its_secret_and_stops_working_when_revoked()
    {
        using var created = await app.Alpha.PostAsJsonAsync(U("api/v1/keys"), new { name = "ci-reader", scopes = new[] { "analyses:read" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var secret = body.GetProperty("key").GetString()!;
        var id = body.GetProperty("id").GetString()!;
        Assert.StartsWith("llk_", secret, StringComparison.Ordinal);
        Assert.Equal(["analyses:read"], body.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));

        using var reader = app.App.CreateClient(secret);
        using (var read = await reader.GetAsync(U("api/v1/analyses")))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }
        using (var write = await reader.PostAsJsonAsync(U("api/v1/analyses"), new { image = "127.0.0.1:1/x/y:1" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        }
        using (var manage = await reader.GetAsync(U("api/v1/keys")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, manage.StatusCode);
        }

        var listText = await app.Alpha.GetStringAsync(U("api/v1/keys"));
        Assert.DoesNotContain(secret, listText, StringComparison.Ordinal);
        var listed = Assert.Single(JsonDocument.Parse(listText).RootElement.EnumerateArray(), k => k.GetProperty("id").GetString() == id);
        Assert.False(listed.TryGetProperty("key", out _));
        Assert.Equal("ci-reader", listed.GetProperty("name").GetString());
        Assert.StartsWith(listed.GetProperty("prefix").GetString()!.TrimEnd('…'), secret, StringComparison.Ordinal);
        Assert.NotEqual(JsonValueKind.Null, listed.GetProperty("lastUsedAt").ValueKind);

        using (var revoke = await app.Alpha.DeleteAsync(U($"api/v1/keys/{id}")))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }
        using (var revoked = await reader.GetAsync(U("api/v1/analyses")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        }
        using (var twice = await app.Alpha.DeleteAsync(U($"api/v1/keys/{id}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, twice.StatusCode);
        }

        var audit = await app.Alpha.GetStringAsync(U("api/v1/audit"));
        Assert.Contains("apikey.created", audit, StringComparison.Ordinal);
        Assert.Contains("apikey.revoked", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_workspaces_key_is_not_listed_and_cannot_be_revoked()
    {
        using var created = await app.Alpha.PostAsJsonAsync(U("api/v1/keys"), new { name = "alpha-private" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var betaKeys = await app.Beta.GetFromJsonAsync<JsonElement>(U("api/v1/keys"));
        Assert.DoesNotContain(betaKeys.EnumerateArray(), k => k.GetProperty("id").GetString() == id);
        using (var delete = await app.Beta.DeleteAsync(U($"api/v1/keys/{id}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
            Assert.Equal("application/problem+json", delete.Content.Headers.ContentType?.MediaType);
        }
        var alphaKeys = await app.Alpha.GetFromJsonAsync<JsonElement>(U("api/v1/keys"));
        var still = Assert.Single(alphaKeys.EnumerateArray(), k => k.GetProperty("id").GetString() == id);
        Assert.Equal(JsonValueKind.Null, still.GetProperty("revokedAt").ValueKind);
    }

    [Fact]
    public async Task A_key_grants_no_scope_its_creator_lacks_and_needs_keys_manage()
    {
        using var limited = await app.Alpha.PostAsJsonAsync(U("api/v1/keys"), new { name = "key-maker", scopes = new[] { "keys:manage", "analyses:read" } });
        var secret = (await limited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString();
        using var maker = app.App.CreateClient(secret);
        using (var escalate = await maker.PostAsJsonAsync(U("api/v1/keys"), new { name = "writer", scopes = new[] { "analyses:write" } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, escalate.StatusCode);
            Assert.Contains("analyses:write", (await escalate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        using (var unknown = await app.Alpha.PostAsJsonAsync(U("api/v1/keys"), new { name = "x", scopes = new[] { "root" } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        }
        using var readOnly = app.App.CreateClient(TwoWorkspacesApp.BetaReadOnlyKey);
        using (var forbidden = await readOnly.PostAsJsonAsync(U("api/v1/keys"), new { name = "y" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }
        using var anonymous = app.App.CreateClient(null);
        using (var unauthorised = await anonymous.GetAsync(U("api/v1/keys")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorised.StatusCode);
        }
    }

    [Fact]
    public async Task A_key_that_manages_members_cannot_invite_a_role_above_its_own_scopes()
    {
        using var limited = await app.Alpha.PostAsJsonAsync(U("api/v1/keys"), new { name = "inviter", scopes = new[] { "members:manage", "analyses:read", "analyses:write" } });
        var secret = (await limited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString();
        using var inviter = app.App.CreateClient(secret);
        using (var owner = await inviter.PostAsJsonAsync(U("api/v1/invitations"), new { email = "new-owner@alpha.test", role = "owner" }))
        {
            // An owner holds keys:manage and webhooks:manage, which this key does not.
            Assert.Equal(HttpStatusCode.BadRequest, owner.StatusCode);
            Assert.Contains("owner", (await owner.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        using (var member = await inviter.PostAsJsonAsync(U("api/v1/invitations"), new { email = "new-member@alpha.test", role = "member" }))
        {
            Assert.Equal(HttpStatusCode.Created, member.StatusCode);
        }
    }

    [Fact]
    public async Task The_openapi_document_describes_the_keys_endpoints()
    {
        var doc = await app.Alpha.GetFromJsonAsync<JsonElement>(U("openapi/v1.json"));
        var paths = doc.GetProperty("paths");
        Assert.True(paths.GetProperty("/api/v1/keys").TryGetProperty("post", out _));
        Assert.True(paths.GetProperty("/api/v1/keys").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/v1/keys/{id}").TryGetProperty("delete", out _));
        Assert.True(paths.GetProperty("/api/v1/invitations").TryGetProperty("post", out _));
    }
}
