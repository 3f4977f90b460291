using System.Net;
using System.Security.Claims;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.Storage.SQLite;
using LayerLens.Web.Jobs;
using LayerLens.Web.Tenancy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LayerLens.Web.Tests.Jobs;

/// <summary>
/// The filter the dashboard uses, asked directly with built request objects (no traffic is sent): being on this
/// machine is not enough, nor is a principal that merely carries the claim without being a signed-in account.
/// Through a real proxy and real accounts: JobDashboardAccessTests.
/// </summary>
public sealed class DashboardAccessFilterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("layerlens-jobs-").FullName;

    private AspNetCoreDashboardContext Context(ClaimsPrincipal user, string remote)
    {
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().BuildServiceProvider(), User = user };
        http.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        http.Connection.LocalIpAddress = IPAddress.Parse("127.0.0.1");
        var storage = new SQLiteStorage(Path.Combine(_directory, "jobs.db"));
        return new AspNetCoreDashboardContext(storage, new DashboardOptions(), http);
    }

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("127.0.0.1", true)]
    [InlineData("203.0.113.7", true)]
    public async Task An_anonymous_request_is_refused_even_from_this_machine(string remote, bool allowRemote) =>
        Assert.False(await new DashboardAccessFilter(allowRemote).AuthorizeAsync(Context(new ClaimsPrincipal(new ClaimsIdentity()), remote)));

    [Fact]
    public async Task An_api_key_is_never_an_administrator()
    {
        var key = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(LayerLensClaims.ApiKey, "k"), new Claim(LayerLensClaims.Administrator, "true")], "ApiKey"));
        Assert.False(await new DashboardAccessFilter(allowRemote: true).AuthorizeAsync(Context(key, "127.0.0.1")));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
