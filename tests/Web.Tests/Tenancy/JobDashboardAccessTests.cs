using System.Net;
using LayerLens.TestInfrastructure.Proxy;
using LayerLens.TestInfrastructure.WebApp;
using LayerLens.Web.Tests.Saas;

namespace LayerLens.Web.Tests.Tenancy;

/// <summary>
/// A fresh install (the first account is the server's administrator, the second a plain member) behind a reverse
/// proxy on the same machine: one proxy serving a client on this machine, one serving a remote client
/// (203.0.113.7). Every request goes through a proxy, so before the fix every request looked local.
/// </summary>
public class JobDashboardAccessFixture : IAsyncLifetime
{
    public const string AdminEmail = "first@layerlens.test";
    public const string MemberEmail = "second@layerlens.test";
    public const string Password = "dashboard-password-42";

    public WebAppProcess App { get; private set; } = null!;

    public LoopbackProxy LocalClientProxy { get; private set; } = null!;

    public LoopbackProxy RemoteClientProxy { get; private set; } = null!;

    /// <summary>Settings a variant adds.</summary>
    protected virtual IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        App = await WebAppProcess.StartAsync(Environment, bootstrap: false);
        LocalClientProxy = LoopbackProxy.Forwarding(App.BaseAddress, "127.0.0.1");
        RemoteClientProxy = LoopbackProxy.Forwarding(App.BaseAddress, "203.0.113.7");
        foreach (var (email, workspace) in new[] { (AdminEmail, "first"), (MemberEmail, "second") })
        {
            using var session = new CookieSession(LocalClientProxy.BaseAddress);
            using var signedUp = await session.PostFormAsync("/account/signup", "/account/signup", new() { ["email"] = email, ["password"] = Password, ["workspace"] = workspace });
            Assert.True(signedUp.StatusCode == HttpStatusCode.Redirect && signedUp.Headers.Location?.OriginalString == "/", $"{signedUp.StatusCode} {signedUp.Headers.Location}\n{App.Log}");
        }
    }

    public async Task<CookieSession> SignInAsync(LoopbackProxy proxy, string email)
    {
        var session = new CookieSession(proxy.BaseAddress);
        using var response = await session.PostFormAsync("/account/signin", "/account/signin", new() { ["email"] = email, ["password"] = Password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        return session;
    }

    public virtual async Task DisposeAsync()
    {
        LocalClientProxy.Dispose();
        RemoteClientProxy.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>/hangfire shows and changes every workspace's jobs: only the server's administrators may open it.</summary>
public sealed class JobDashboardAccessTests(JobDashboardAccessFixture fixture) : IClassFixture<JobDashboardAccessFixture>
{
    private static readonly string[] DashboardPaths = ["/hangfire", "/hangfire/jobs/enqueued", "/hangfire/jobs/succeeded", "/hangfire/recurring"];

    private static async Task<HttpStatusCode> GetAsync(HttpClient http, string path, string? spoofedForwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (spoofedForwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", spoofedForwardedFor);
        }
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Anonymous_requests_through_the_proxy_are_refused_even_claiming_to_be_local()
    {
        foreach (var proxy in new[] { fixture.LocalClientProxy, fixture.RemoteClientProxy })
        {
            using var anonymous = new HttpClient { BaseAddress = proxy.BaseAddress };
            foreach (var path in DashboardPaths)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(anonymous, path));
                Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(anonymous, path, "127.0.0.1"));
            }
        }
    }

    [Fact]
    public async Task A_signed_in_member_who_is_not_an_administrator_is_refused()
    {
        using var member = await fixture.SignInAsync(fixture.LocalClientProxy, JobDashboardAccessFixture.MemberEmail);
        foreach (var path in DashboardPaths)
        {
            Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(member.Http, path));
        }
        // The dashboard's actions (requeue, delete) are refused as well, with the app's antiforgery token sent
        // along so the request reaches the dashboard.
        var http = await member.ApiClientAsync();
        using var requeue = await http.PostAsync(new Uri("/hangfire/jobs/enqueued/delete", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string> { ["jobs[]"] = "1" }));
        Assert.Equal(HttpStatusCode.Forbidden, requeue.StatusCode);
    }

    [Fact]
    public async Task The_administrator_on_this_machine_gets_the_dashboard_through_the_proxy()
    {
        using var admin = await fixture.SignInAsync(fixture.LocalClientProxy, JobDashboardAccessFixture.AdminEmail);
        using var response = await admin.Http.GetAsync(new Uri("/hangfire", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("LayerLens jobs", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_remote_client_does_not_look_local_with_a_spoofed_X_Forwarded_For()
    {
        // Even the administrator, from another machine, is refused while LayerLens:AllowRemoteJobDashboard is off:
        // the proxy appended the real client address after the spoofed one, and only that entry counts.
        using var admin = await fixture.SignInAsync(fixture.RemoteClientProxy, JobDashboardAccessFixture.AdminEmail);
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(admin.Http, "/hangfire", "127.0.0.1"));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(admin.Http, "/hangfire", "::1, 127.0.0.1"));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(admin.Http, "/hangfire"));
    }
}

/// <summary>The same install with LayerLens:AllowRemoteJobDashboard: administrators may use it from anywhere, nobody else.</summary>
public sealed class RemoteJobDashboardFixture : JobDashboardAccessFixture
{
    protected override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["LayerLens__AllowRemoteJobDashboard"] = "true",
    };
}

public sealed class RemoteJobDashboardAccessTests(RemoteJobDashboardFixture fixture) : IClassFixture<RemoteJobDashboardFixture>
{
    [Fact]
    public async Task With_remote_access_allowed_a_remote_administrator_gets_the_dashboard_and_nobody_else_does()
    {
        using (var admin = await fixture.SignInAsync(fixture.RemoteClientProxy, JobDashboardAccessFixture.AdminEmail))
        using (var response = await admin.Http.GetAsync(new Uri("/hangfire", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using (var member = await fixture.SignInAsync(fixture.RemoteClientProxy, JobDashboardAccessFixture.MemberEmail))
        using (var response = await member.Http.GetAsync(new Uri("/hangfire", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
        using var anonymous = new HttpClient { BaseAddress = fixture.RemoteClientProxy.BaseAddress };
        using var refused = await anonymous.GetAsync(new Uri("/hangfire", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
