using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LayerLens.TestInfrastructure.WebApp;
using LayerLens.Web.Tests.Crash;
using Microsoft.Data.Sqlite;

namespace LayerLens.Web.Tests.Saas;

/// <summary>
/// Attacks from the 2026-12-03 review (docs/security/review-2026-12-03.md) through the real app: API keys that outlive
/// their member, quota bypasses by retry and by a burst of concurrent starts, and ids of another workspace on the
/// endpoints that take one. Membership changes are written to the app's database directly, as the Members page's
/// service would (there is no members API): the point is what the key can do after the change.
/// </summary>
public sealed class AdversarialReviewTests(TwoWorkspacesApp app) : IClassFixture<TwoWorkspacesApp>
{
    private static Uri U(string path) => new(path, UriKind.Relative);

    private async Task<int> SqlAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(app.App.DataDirectory, "layerlens.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>An owner of the "test" workspace who joined through an invitation, signed in with a cookie.</summary>
    private async Task<CookieSession> InvitedOwnerAsync(string email)
    {
        using var created = await app.Alpha.PostAsJsonAsync(U("api/v1/invitations"), new { email, role = "owner" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var path = new Uri((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("link").GetString()!).AbsolutePath;
        var session = new CookieSession(app.App);
        using var signUp = await session.PostFormAsync(path, "/account/invitations/signup", new() { ["token"] = path["/invitations/".Length..], ["password"] = "invited-owner-pass-12" });
        Assert.Equal(HttpStatusCode.Redirect, signUp.StatusCode);
        return session;
    }

    private async Task<string> CreateKeyAsync(CookieSession owner, params string[] scopes)
    {
        var http = await owner.ApiClientAsync();
        using var created = await http.PostAsJsonAsync(U("api/v1/keys"), new { name = "personal", scopes });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    [Fact]
    public async Task A_members_api_key_is_refused_once_they_are_removed_and_loses_scopes_when_they_are_demoted()
    {
        const string email = "key-holder@layerlens.test";
        using var owner = await InvitedOwnerAsync(email);
        var parentKey = await CreateKeyAsync(owner, "analyses:read", "keys:manage");
        using var parent = app.App.CreateClient(parentKey);
        // A key made with that key acts for the same person.
        string childKey;
        using (var child = await parent.PostAsJsonAsync(U("api/v1/keys"), new { name = "child", scopes = new[] { "analyses:read" } }))
        {
            Assert.Equal(HttpStatusCode.Created, child.StatusCode);
            childKey = (await child.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        }
        using var grandchild = app.App.CreateClient(childKey);
        Assert.Equal(HttpStatusCode.OK, (await parent.GetAsync(U("api/v1/keys"))).StatusCode);

        const string member = "UPDATE WorkspaceMembers SET Role = $role WHERE UserId = (SELECT Id FROM AspNetUsers WHERE NormalizedEmail = $email)";
        await SqlAsync(member, ("$role", "Viewer"), ("$email", email.ToUpperInvariant()));
        using (var keys = await parent.GetAsync(U("api/v1/keys")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, keys.StatusCode); // a viewer has no keys:manage, nor has their key now
        }
        Assert.Equal(HttpStatusCode.OK, (await parent.GetAsync(U("api/v1/analyses"))).StatusCode);

        Assert.Equal(1, await SqlAsync("DELETE FROM WorkspaceMembers WHERE UserId = (SELECT Id FROM AspNetUsers WHERE NormalizedEmail = $email)", ("$email", email.ToUpperInvariant())));
        using (var read = await parent.GetAsync(U("api/v1/analyses")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        }
        using (var read = await grandchild.GetAsync(U("api/v1/analyses")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        }
        // The operator's bootstrap key is nobody's member key and keeps working.
        Assert.Equal(HttpStatusCode.OK, (await app.Alpha.GetAsync(U("api/v1/analyses"))).StatusCode);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_on_its_very_next_request()
    {
        using var created = await app.Alpha.PostAsJsonAsync(U("api/v1/keys"), new { name = "revoke-me", scopes = new[] { "analyses:read" } });
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        using var key = app.App.CreateClient(body.GetProperty("key").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await key.GetAsync(U("api/v1/analyses"))).StatusCode);

        using (var revoke = await app.Alpha.DeleteAsync(U($"api/v1/keys/{body.GetProperty("id").GetString()}")))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await key.GetAsync(U("api/v1/analyses"))).StatusCode);
    }

    [Fact]
    public async Task Retrying_a_failed_analysis_does_not_pass_the_running_analyses_cap()
    {
        using var tiny = app.App.CreateClient(TwoWorkspacesApp.TinyKey);
        using var registry = new HoldingRegistry();
        // A failed analysis of the workspace whose cap is one.
        using var junk = new ByteArrayContent(new byte[100]);
        junk.Headers.ContentType = new("application/x-tar");
        using var posted = await tiny.PostAsync(U("api/v1/analyses?name=junk"), junk);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var failed = await app.WaitAsync(tiny, (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);

        // One analysis running (its layer download held), so the cap is taken.
        registry.Hold("tiny/held");
        using var held = await tiny.PostAsJsonAsync(U("api/v1/analyses"), new { image = registry.Reference("tiny/held") });
        Assert.Equal(HttpStatusCode.Accepted, held.StatusCode);
        var heldId = (await held.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        try
        {
            using var retry = await tiny.PostAsync(U($"api/v1/analyses/{failed}/retry"), null);
            Assert.Equal(HttpStatusCode.TooManyRequests, retry.StatusCode);
            Assert.NotNull(retry.Headers.RetryAfter);
            var status = (await tiny.GetFromJsonAsync<JsonElement>(U($"api/v1/analyses/{failed}"))).GetProperty("status").GetString();
            Assert.Equal("failed", status);
        }
        finally
        {
            registry.Release("tiny/held");
            await app.WaitAsync(tiny, heldId);
        }
        // With room again the retry is accepted.
        using var later = await tiny.PostAsync(U($"api/v1/analyses/{failed}/retry"), null);
        Assert.Equal(HttpStatusCode.Accepted, later.StatusCode);
        await app.WaitAsync(tiny, failed);
    }

    [Fact]
    public async Task A_burst_of_concurrent_starts_gets_exactly_the_cap()
    {
        using var tiny = app.App.CreateClient(TwoWorkspacesApp.TinyKey);
        using var registry = new HoldingRegistry();
        registry.Hold("tiny/burst");
        var posts = Enumerable.Range(0, 12).Select(async _ =>
        {
            using var response = await tiny.PostAsJsonAsync(U("api/v1/analyses"), new { image = registry.Reference("tiny/burst") });
            return (response.StatusCode, response.StatusCode == HttpStatusCode.Accepted
                ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()
                : null);
        }).ToList();
        var results = await Task.WhenAll(posts);
        try
        {
            Assert.Single(results, r => r.StatusCode == HttpStatusCode.Accepted);
            Assert.All(results.Where(r => r.StatusCode != HttpStatusCode.Accepted), r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        }
        finally
        {
            registry.Release("tiny/burst");
            foreach (var id in results.Select(r => r.Item2).OfType<string>())
            {
                await app.WaitAsync(tiny, id);
            }
        }
    }

    [Fact]
    public async Task Another_workspaces_registry_host_mapping_project_policy_and_invitation_are_not_found()
    {
        using (var put = await app.Alpha.PutAsJsonAsync(U("api/v1/registry-hosts"), new { notificationHost = "alpha-internal:5000", pullHost = "127.0.0.1:9" }))
        {
            Assert.True(put.IsSuccessStatusCode, put.StatusCode.ToString());
        }
        var mapping = (await app.Alpha.GetFromJsonAsync<JsonElement>(U("api/v1/registry-hosts"))).EnumerateArray()
            .Single(m => m.GetProperty("notificationHost").GetString() == "alpha-internal:5000").GetProperty("id").GetString();
        using (var foreign = await app.Beta.DeleteAsync(U($"api/v1/registry-hosts/{mapping}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        }
        Assert.DoesNotContain("alpha-internal", await app.Beta.GetStringAsync(U("api/v1/registry-hosts")), StringComparison.Ordinal);
        Assert.Contains("alpha-internal", await app.Alpha.GetStringAsync(U("api/v1/registry-hosts")), StringComparison.Ordinal);

        using (var policy = new StringContent("rules:\n  lowestEfficiency: 0.5\n"))
        using (var set = await app.Alpha.PutAsync(U("api/v1/projects/alpha-secret-project/policy"), policy))
        {
            Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        }
        using (var read = await app.Beta.GetAsync(U("api/v1/projects/alpha-secret-project/policy")))
        {
            Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        }

        using var invited = await app.Alpha.PostAsJsonAsync(U("api/v1/invitations"), new { email = "idor-invitee@layerlens.test", role = "viewer" });
        var invitation = (await invited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using (var revoke = await app.Beta.DeleteAsync(U($"api/v1/invitations/{invitation}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, revoke.StatusCode);
        }
        Assert.DoesNotContain("idor-invitee", await app.Beta.GetStringAsync(U("api/v1/invitations")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_bootstrap_administrator_of_a_fresh_install_opens_the_job_dashboard_and_others_do_not()
    {
        using var admin = await CookieSession.SignInAsync(app.App, WebAppProcess.AdminEmail, WebAppProcess.AdminPassword);
        using (var dashboard = await admin.Http.GetAsync(U("/hangfire")))
        {
            Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        }
        Assert.Contains(app.App.DataDirectory, await admin.GetPageAsync("/settings"), StringComparison.Ordinal);

        // Another bootstrap owner (a later entry) and an invited owner are not server administrators.
        foreach (var other in new[] { await CookieSession.SignInAsync(app.App, TwoWorkspacesApp.BothEmail, TwoWorkspacesApp.BothPassword), await InvitedOwnerAsync("dashboard-owner@layerlens.test") })
        {
            using (other)
            {
                using var refused = await other.Http.GetAsync(U("/hangfire"));
                Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
                Assert.DoesNotContain(app.App.DataDirectory, await other.GetPageAsync("/settings"), StringComparison.Ordinal);
            }
        }
        using var anonymous = new CookieSession(app.App);
        using var anonymousDashboard = await anonymous.Http.GetAsync(U("/hangfire"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousDashboard.StatusCode);
    }

    [Fact]
    public async Task An_endless_chunked_upload_is_cut_off_at_the_limit_not_read_to_the_end()
    {
        using var tiny = app.App.CreateClient(TwoWorkspacesApp.TinyKey);
        var body = new EndlessStream(256L * 1024 * 1024); // no Content-Length: the server learns the size only by reading
        using var content = new StreamContent(body);
        content.Headers.ContentType = new("application/x-tar");
        try
        {
            using var response = await tiny.PostAsync(U("api/v1/analyses?name=endless"), content);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }
        catch (HttpRequestException)
        {
            // The server answered and closed the connection while the client was still sending: also a refusal.
        }
        Assert.True(body.Produced < 16L * 1024 * 1024, $"the server read {body.Produced:N0} bytes of a body past its 1 KiB limit");
    }

    /// <summary>Zeros until <paramref name="cap"/> (a bound so a broken server cannot hang the test), counting what was read.</summary>
    private sealed class EndlessStream(long cap) : Stream
    {
        public long Produced { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Produced; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, cap - Produced);
            Array.Clear(buffer, offset, n);
            Produced += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
