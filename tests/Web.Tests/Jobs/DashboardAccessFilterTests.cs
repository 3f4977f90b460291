using System.Net;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.Storage.SQLite;
using LayerLens.Web.Jobs;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LayerLens.Web.Tests.Jobs;

/// <summary>
/// Remote callers cannot be simulated over loopback, so these build the request objects directly
/// (no traffic is sent) and ask the filter the dashboard uses.
/// </summary>
public sealed class DashboardAccessFilterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("layerlens-jobs-").FullName;

    [Theory]
    [InlineData("127.0.0.1", false, true)]
    [InlineData("::1", false, true)]
    [InlineData("203.0.113.7", false, false)]
    [InlineData("203.0.113.7", true, true)]
    public void The_job_dashboard_is_for_this_machine_unless_remote_access_is_configured(string remote, bool allowRemote, bool expected)
    {
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().BuildServiceProvider() };
        http.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        http.Connection.LocalIpAddress = IPAddress.Parse("198.51.100.1");
        var storage = new SQLiteStorage(Path.Combine(_directory, "jobs.db"));
        var context = new AspNetCoreDashboardContext(storage, new DashboardOptions(), http);

        Assert.Equal(expected, new DashboardAccessFilter(allowRemote).Authorize(context));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
