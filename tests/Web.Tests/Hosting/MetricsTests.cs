using System.Net;
using LayerLens.TestInfrastructure.WebApp;
using LayerLens.Web.Metrics;
using Microsoft.AspNetCore.Http;

namespace LayerLens.Web.Tests.Hosting;

/// <summary>/metrics: who may read it, and that an analysis shows up in its numbers.</summary>
public sealed class MetricsTests
{
    private static Uri U(string path) => new(path, UriKind.Relative);

    private static DefaultHttpContext Request(string remote, string? authorization = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }
        return context;
    }

    // The app's tests listen on loopback only, so a request from another machine is a request object here.
    [Fact]
    public void Without_a_token_only_this_machine_may_read_the_metrics()
    {
        var access = new MetricsAccess(token: null);

        Assert.Equal(StatusCodes.Status200OK, access.StatusFor(Request("127.0.0.1")));
        Assert.Equal(StatusCodes.Status200OK, access.StatusFor(Request("::1")));
        Assert.Equal(StatusCodes.Status403Forbidden, access.StatusFor(Request("10.1.2.3")));
        Assert.Equal(StatusCodes.Status403Forbidden, access.StatusFor(Request("10.1.2.3", "Bearer anything")));
    }

    [Fact]
    public void With_a_token_every_reader_must_send_it_even_from_this_machine()
    {
        var access = new MetricsAccess("scrape-secret-0123456789");

        Assert.Equal(StatusCodes.Status200OK, access.StatusFor(Request("10.1.2.3", "Bearer scrape-secret-0123456789")));
        Assert.Equal(StatusCodes.Status401Unauthorized, access.StatusFor(Request("10.1.2.3")));
        Assert.Equal(StatusCodes.Status401Unauthorized, access.StatusFor(Request("127.0.0.1")));
        Assert.Equal(StatusCodes.Status401Unauthorized, access.StatusFor(Request("10.1.2.3", "Bearer scrape-secret-012345678")));
        Assert.Equal(StatusCodes.Status401Unauthorized, access.StatusFor(Request("10.1.2.3", "Bearer scrape-secret-0123456789x")));
        Assert.Equal(StatusCodes.Status401Unauthorized, access.StatusFor(Request("10.1.2.3", "Basic scrape-secret-0123456789")));
    }

    [Fact]
    public async Task The_running_app_refuses_metrics_without_its_token_and_counts_analyses_and_failures_by_cause()
    {
        const string Token = "scrape-secret-for-this-test";
        await using var app = await WebAppProcess.StartAsync(new Dictionary<string, string> { ["LayerLens__Metrics__Token"] = Token });
        using var api = app.CreateClient();
        using var anonymous = app.CreateClient(apiKey: null);
        using var wrong = app.CreateClient(apiKey: "not-the-token");
        using var scraper = app.CreateClient(apiKey: Token);

        // An API key is not the metrics token either.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(U("metrics"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync(U("metrics"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync(U("metrics"))).StatusCode);

        var id = await RoleApps.SubmitScenarioAsync(api, "metered");
        Assert.Equal("succeeded", await RoleApps.WaitForEndAsync(api, id, TimeSpan.FromSeconds(60), () => app.Log));

        var broken = await RoleApps.SubmitArchiveAsync(api, "not-an-image", RoleApps.NotAnImage());
        Assert.Equal("failed", await RoleApps.WaitForEndAsync(api, broken, TimeSpan.FromSeconds(60), () => app.Log));

        var text = await scraper.GetStringAsync(U("metrics"));
        Assert.Contains("layerlens_analysis_duration_seconds_count{kind=\"image\",outcome=\"succeeded\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("layerlens_queue_depth 0", text, StringComparison.Ordinal);
        Assert.Contains("layerlens_analyses_running 0", text, StringComparison.Ordinal);
        var bytesRead = text.Split('\n').Single(l => l.StartsWith("layerlens_bytes_read_total ", StringComparison.Ordinal));
        Assert.True(double.Parse(bytesRead.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) > 0, bytesRead);
        Assert.Contains("layerlens_analysis_failures_total{cause=\"invalid_image\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("layerlens_analysis_duration_seconds_count{kind=\"image\",outcome=\"failed\"} 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Failure_causes_are_a_few_fixed_label_values()
    {
        Assert.Equal("deadline", LayerLensMetrics.CauseOf(null));
        Assert.Equal("invalid_image", LayerLensMetrics.CauseOf(new LayerLens.Analyzer.Blobs.InvalidImageException("x")));
        Assert.Equal("invalid_input", LayerLensMetrics.CauseOf(new ArgumentException("x")));
        Assert.Equal("io", LayerLensMetrics.CauseOf(new IOException("x")));
        Assert.Equal("internal", LayerLensMetrics.CauseOf(new NullReferenceException()));
    }
}
