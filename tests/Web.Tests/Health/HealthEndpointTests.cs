using System.Net;
using System.Text.Json;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Health;

/// <summary>Runs the real app process; /healthz must tell a load balancer the truth.</summary>
public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Healthz_is_200_with_both_checks_healthy_on_the_embedded_defaults()
    {
        await using var app = await WebAppProcess.StartAsync();
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        using var response = await http.GetAsync(new Uri("healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("jobs").GetProperty("status").GetString());
        Assert.True(File.Exists(Path.Combine(app.DataDirectory, "layerlens.db")), "the SQLite database lives in the data directory");
        Assert.True(File.Exists(Path.Combine(app.DataDirectory, "jobs.db")), "the embedded job storage lives in the data directory");
    }

    [Fact]
    public async Task The_job_dashboard_answers_requests_from_this_machine()
    {
        await using var app = await WebAppProcess.StartAsync();
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        using var response = await http.GetAsync(new Uri("hangfire", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("LayerLens jobs", await response.Content.ReadAsStringAsync());
    }
}
