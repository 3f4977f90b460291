using System.Net;
using System.Text.Json;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Postgres;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Hosting;

/// <summary>LayerLens:Role with real processes: a web node that only enqueues, a worker that only runs jobs.</summary>
public sealed class RoleTests
{
    private static Uri U(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task An_unknown_role_stops_the_start_with_a_message_naming_the_setting()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            WebAppProcess.StartAsync(new Dictionary<string, string> { ["LayerLens__Role"] = "wroker" }));

        Assert.Contains("LayerLens:Role", failure.Message, StringComparison.Ordinal);
        Assert.Contains("'wroker'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("all (the default), web, worker", failure.Message, StringComparison.Ordinal);
    }

    [Trait(Needs.Trait, Needs.PostgreSQL)]
    [Fact]
    public async Task An_analysis_posted_to_the_web_node_stays_queued_until_a_worker_process_runs_it()
    {
        await using var server = await PostgresServer.StartAsync();
        var database = await server.CreateDatabaseAsync();
        // One data directory for both: sharing uploads across machines is the storage abstraction's job, not the role's.
        var data = Directory.CreateTempSubdirectory("layerlens-roles-").FullName;
        try
        {
            Dictionary<string, string> Role(string role) => new()
            {
                ["ConnectionStrings__Default"] = database.ConnectionString,
                ["LayerLens__DatabaseProvider"] = "PostgreSql",
                ["LayerLens__JobStorage"] = "PostgreSql",
                ["LayerLens__Role"] = role,
            };
            await using var web = await WebAppProcess.StartAsync(Role("web"), data);
            using var api = web.CreateClient();

            var id = await RoleApps.SubmitScenarioAsync(api, "posted-to-web");
            // Well past the queue's 0.5 s poll: a web node that ran jobs would have finished this small image.
            await Task.Delay(TimeSpan.FromSeconds(6));
            Assert.Equal("queued", await RoleApps.StatusAsync(api, id));

            await using var worker = await WebAppProcess.StartAsync(Role("worker"), data, bootstrap: false);
            Assert.Equal("succeeded", await RoleApps.WaitForEndAsync(api, id, TimeSpan.FromSeconds(60), () => web.Log + worker.Log));

            // The worker ran it: its metrics count the run, the web node's do not.
            using var workerHttp = worker.CreateClient(apiKey: null);
            using var webHttp = web.CreateClient(apiKey: null);
            const string Succeeded = "layerlens_analysis_duration_seconds_count{kind=\"image\",outcome=\"succeeded\"} 1";
            Assert.Contains(Succeeded, await workerHttp.GetStringAsync(U("metrics")), StringComparison.Ordinal);
            Assert.DoesNotContain(Succeeded, await webHttp.GetStringAsync(U("metrics")), StringComparison.Ordinal);

            // Health per role: the worker answers for its storage too, the web node for database and jobs.
            var workerHealth = await HealthAsync(workerHttp);
            Assert.Equal("worker", workerHealth.GetProperty("role").GetString());
            Assert.Equal("Healthy", workerHealth.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());
            Assert.Equal("Healthy", workerHealth.GetProperty("checks").GetProperty("jobs").GetProperty("status").GetString());
            var webHealth = await HealthAsync(webHttp);
            Assert.Equal("web", webHealth.GetProperty("role").GetString());
            Assert.Equal("Healthy", webHealth.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
            Assert.False(webHealth.GetProperty("checks").TryGetProperty("storage", out _));

            // A worker serves no UI, API or dashboard, even to a valid key.
            using var workerApi = worker.CreateClient();
            foreach (var path in new[] { "", "api/v1/analyses", $"api/v1/analyses/{id}", "hangfire", "account/login", "openapi/v1.json" })
            {
                using var response = await workerApi.GetAsync(U(path));
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"worker GET /{path} answered {(int)response.StatusCode}");
            }
        }
        finally
        {
            await database.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<JsonElement> HealthAsync(HttpClient http)
    {
        using var response = await http.GetAsync(U("healthz"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
