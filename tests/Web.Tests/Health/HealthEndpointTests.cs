using System.Net;
using System.Text.Json;
using LayerLens.TestInfrastructure.Postgres;
using LayerLens.TestInfrastructure.WebApp;
using LayerLens.TestInfrastructure;

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

    [Trait(Needs.Trait, Needs.PostgreSQL)]
    [Fact]
    public async Task On_postgresql_for_data_and_jobs_healthz_is_200_and_turns_503_when_the_server_stops()
    {
        var server = await PostgresServer.StartAsync();
        var stopped = false;
        try
        {
            var database = await server.CreateDatabaseAsync();
            await using var app = await WebAppProcess.StartAsync(new Dictionary<string, string>
            {
                ["ConnectionStrings__Default"] = database.ConnectionString,
                ["LayerLens__DatabaseProvider"] = "PostgreSql",
                ["LayerLens__JobStorage"] = "PostgreSql",
            });
            using var http = new HttpClient { BaseAddress = app.BaseAddress };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("healthz", UriKind.Relative))).StatusCode);
            Assert.False(File.Exists(Path.Combine(app.DataDirectory, "layerlens.db")), "no SQLite database when PostgreSQL is configured");

            await server.DisposeAsync();
            stopped = true;

            using var response = await http.GetAsync(new Uri("healthz", UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("Unhealthy", body.RootElement.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
            Assert.Equal("Unhealthy", body.RootElement.GetProperty("checks").GetProperty("jobs").GetProperty("status").GetString());
        }
        finally
        {
            if (!stopped)
            {
                await server.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task The_job_dashboard_is_not_shown_to_an_anonymous_request_even_from_this_machine()
    {
        // Administrators only (Tenancy/JobDashboardAccessTests signs one in); this machine alone is not enough.
        await using var app = await WebAppProcess.StartAsync();
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        using var response = await http.GetAsync(new Uri("hangfire", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("LayerLens jobs", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
