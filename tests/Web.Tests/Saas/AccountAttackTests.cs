using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LayerLens.TestInfrastructure.WebApp;
using Microsoft.Data.Sqlite;

namespace LayerLens.Web.Tests.Saas;

/// <summary>
/// The account surface attacked over real HTTP against the real app: racing sign-ups on a fresh install, guessing
/// passwords, signing a user out from another site, what anonymous visitors see, and what a failed job tells members.
/// </summary>
public sealed partial class AccountAttackTests
{
    private static Uri U(string path) => new(path, UriKind.Relative);

    private static async Task<string> FormTokenAsync(CookieSession session, string page)
    {
        var match = FormToken().Match(await session.GetPageAsync(page));
        Assert.True(match.Success, $"no antiforgery field on {page}");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    private static async Task<long> ScalarAsync(WebAppProcess app, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(app.DataDirectory, "layerlens.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Sign_ups_racing_on_a_fresh_install_make_exactly_one_administrator()
    {
        await using var app = await WebAppProcess.StartAsync(bootstrap: false);
        const int racers = 8;
        var sessions = Enumerable.Range(0, racers).Select(_ => new CookieSession(app)).ToList();
        try
        {
            // Every racer loads the form first, while the install is still fresh (each page says "Create the administrator").
            var tokens = new List<string>();
            foreach (var session in sessions)
            {
                tokens.Add(await FormTokenAsync(session, "/account/signup"));
            }
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var posts = sessions.Select(async (session, i) =>
            {
                using var form = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["email"] = $"racer{i}@layerlens.test",
                    ["password"] = "racing-password-2026",
                    ["workspace"] = $"racer-{i}",
                    ["__RequestVerificationToken"] = tokens[i],
                });
                await go.Task;
                using var response = await session.Http.PostAsync(U("/account/signup"), form);
                return (response.StatusCode, response.Headers.Location?.OriginalString);
            }).ToList();
            go.SetResult();
            var results = await Task.WhenAll(posts);

            Assert.All(results, r => Assert.Equal((HttpStatusCode.Redirect, "/"), r));
            Assert.Equal(racers, await ScalarAsync(app, "SELECT COUNT(*) FROM AspNetUsers"));
            Assert.Equal(1, await ScalarAsync(app, "SELECT COUNT(*) FROM AspNetUserClaims WHERE ClaimType = 'layerlens:admin'"));
            // The administrator is the one the singleton row names, and it owns exactly one workspace like everyone.
            Assert.Equal(1, await ScalarAsync(app,
                "SELECT COUNT(*) FROM FirstAdministrator f JOIN AspNetUserClaims c ON c.UserId = f.UserId AND c.ClaimType = 'layerlens:admin'"));
            Assert.Equal(racers, await ScalarAsync(app, "SELECT COUNT(*) FROM WorkspaceMembers WHERE Role = 'Owner'"));
        }
        finally
        {
            sessions.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Guessing_passwords_is_answered_429_with_retry_after_and_sign_out_needs_the_pages_token()
    {
        await using var app = await WebAppProcess.StartAsync();

        // Sign-out first, on a session of its own: a cross-site GET or a POST without the form token signs nobody out.
        using (var victim = await CookieSession.SignInAsync(app, WebAppProcess.AdminEmail, WebAppProcess.AdminPassword))
        {
            async Task<bool> SignedInAsync()
            {
                using var home = await victim.Http.GetAsync(U("/"));
                return home.StatusCode == HttpStatusCode.OK;
            }
            Assert.True(await SignedInAsync());
            using (await victim.Http.GetAsync(U("/account/signout")))
            {
                Assert.True(await SignedInAsync(), "a GET signed the user out");
            }
            using (var forged = await victim.Http.PostAsync(U("/account/signout"), new FormUrlEncodedContent(new Dictionary<string, string>())))
            {
                Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
                Assert.True(await SignedInAsync(), "a POST without the antiforgery token signed the user out");
            }
            using (var real = await victim.PostFormAsync("/", "/account/signout", new()))
            {
                Assert.Equal(HttpStatusCode.Redirect, real.StatusCode);
                Assert.False(await SignedInAsync(), "the app's own Sign out button did not sign out");
            }
        }

        // Twenty wrong passwords for the administrator from one address.
        using var attacker = new CookieSession(app);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 20; i++)
        {
            var response = await attacker.PostFormAsync("/account/signin", "/account/signin",
                new() { ["email"] = WebAppProcess.AdminEmail, ["password"] = $"wrong-guess-{i}-0000" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited ??= response;
            }
            else
            {
                response.Dispose();
            }
        }
        Assert.NotNull(limited);
        Assert.True(limited.Headers.RetryAfter?.Delta is { TotalSeconds: > 0 }, $"no Retry-After: {limited.Headers}");
        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.Redirect));
        Assert.All(statuses.Skip(10), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        limited.Dispose();
        // Even the right password waits now, from this address.
        using var right = await attacker.PostFormAsync("/account/signin", "/account/signin",
            new() { ["email"] = WebAppProcess.AdminEmail, ["password"] = WebAppProcess.AdminPassword });
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
    }

    [Fact]
    public async Task Anonymous_visitors_see_only_the_account_forms_and_failed_jobs_show_members_no_server_path()
    {
        // A regular file where the results directory belongs: publishing a result fails with an IOException whose
        // message names the server's path (a server fault, not bad input).
        var data = Directory.CreateTempSubdirectory("layerlens-fault-").FullName;
        await File.WriteAllTextAsync(Path.Combine(data, "results"), "not a directory");
        await using var app = await WebAppProcess.StartAsync(dataDirectory: data);

        using (var anonymous = new CookieSession(app))
        {
            foreach (var path in new[] { "/account/signin", "/account/signup" })
            {
                var html = await anonymous.GetPageAsync(path);
                Assert.DoesNotContain("Main navigation", html, StringComparison.Ordinal);
                Assert.DoesNotContain("data-testid=\"signout\"", html, StringComparison.Ordinal);
                Assert.DoesNotContain("data-testid=\"workspace-switcher\"", html, StringComparison.Ordinal);
                foreach (var link in new[] { "/analyses/new", "/projects", "/compare", "/settings" })
                {
                    Assert.DoesNotContain($"href=\"{link}\"", html, StringComparison.Ordinal);
                }
            }
        }

        using var http = app.CreateClient();
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("FROM scratch\nCOPY a /a\n")), "dockerfile", "Dockerfile" } };
        using var posted = await http.PostAsync(U("api/v1/analyses?name=fault"), form);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var id = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        JsonElement analysis;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while ((analysis = await http.GetFromJsonAsync<JsonElement>(U($"api/v1/analyses/{id}"))).GetProperty("status").GetString() is "queued" or "running")
        {
            Assert.True(DateTime.UtcNow < deadline, $"analysis {id} did not finish:\n{app.Log}");
            await Task.Delay(200);
        }
        Assert.Equal("failed", analysis.GetProperty("status").GetString());
        var error = analysis.ToString();
        Assert.Contains("internal error (reference ", error, StringComparison.Ordinal);
        Assert.DoesNotContain(data, error, StringComparison.Ordinal);
        Assert.DoesNotContain("/tmp", error, StringComparison.Ordinal);
        // The reference leads the administrator to the details in the log.
        var reference = Reference().Match(error).Groups[1].Value;
        Assert.Contains(reference, app.Log, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(data, "results"), app.Log, StringComparison.Ordinal);

        // The same on the analysis page a member opens.
        using var member = await CookieSession.SignInAsync(app, WebAppProcess.AdminEmail, WebAppProcess.AdminPassword);
        var page = await member.GetPageAsync($"/analyses/{id}");
        Assert.Contains(reference, page, StringComparison.Ordinal);
        Assert.DoesNotContain(data, page, StringComparison.Ordinal);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [GeneratedRegex(@"internal error \(reference ([0-9a-f]+)\)")]
    private static partial Regex Reference();
}
