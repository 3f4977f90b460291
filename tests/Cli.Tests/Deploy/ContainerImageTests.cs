using System.Net;
using System.Text.Json;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Processes;

namespace LayerLens.Cli.Tests.Deploy;

/// <summary>The image infra/deploy/Containerfile builds (offline, see <see cref="DeployImage"/>): it starts, it is lean.</summary>
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class ContainerImageTests(DeployImage image) : IClassFixture<DeployImage>
{
    [Fact]
    public async Task Its_entrypoint_starts_the_app_on_its_embedded_defaults_as_a_non_root_user_and_healthz_answers()
    {
        var config = JsonDocument.Parse((await DeployImage.BuildahAsync(["inspect", "--type", "image", DeployImage.Tag])).StandardOutput)
            .RootElement.GetProperty("Docker").GetProperty("config");
        Assert.Equal("1654:1654", config.GetProperty("User").GetString());
        Assert.True(config.GetProperty("Volumes").TryGetProperty("/data", out _), config.ToString());
        var healthcheck = config.GetProperty("Healthcheck").GetProperty("Test").EnumerateArray().Select(e => e.GetString()).ToList();
        var entrypoint = config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(["CMD", "/app/web/LayerLens.Web", "healthcheck", "http://127.0.0.1:8080/healthz"], healthcheck);

        // chroot isolation shares this machine's network: the image's port 8080 becomes a free loopback port.
        var port = FreePort.Next();
        var url = $"http://127.0.0.1:{port}";
        var container = (await DeployImage.BuildahAsync(["from", DeployImage.Tag])).StandardOutput.Trim();
        try
        {
            using var app = ProcessRunner.Start("buildah", [.. DeployImage.Store, "run", "--isolation", "chroot",
                "--env", $"Urls={url}", container, "--", .. entrypoint]);
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(5) };
            var health = await WaitForHealthAsync(http, app);

            // The embedded defaults (SQLite, embedded jobs, the /data volume), written by uid 1654: storage takes a write.
            Assert.Equal("all", health.GetProperty("role").GetString());
            foreach (var check in new[] { "database", "jobs", "storage" })
            {
                Assert.Equal("Healthy", health.GetProperty("checks").GetProperty(check).GetProperty("status").GetString());
            }
            // The image's own health check command, as the container runtime runs it.
            var probe = await DeployImage.BuildahAsync(["run", "--isolation", "chroot", container, "--",
                "/app/web/LayerLens.Web", "healthcheck", $"{url}/healthz"], check: false);
            Assert.True(probe.ExitCode == 0, probe.StandardOutput + probe.StandardError);
            // The CLI is on the image's PATH.
            var cli = await DeployImage.BuildahAsync(["run", "--isolation", "chroot", container, "--", "layerlens", "--version"], check: false);
            Assert.True(cli.ExitCode == 0, $"the CLI does not run in the image: {cli.StandardOutput}{cli.StandardError}");
        }
        finally
        {
            await DeployImage.BuildahAsync(["rm", container], check: false);
        }
    }

    [Fact]
    public async Task It_analyses_at_95_percent_efficiency_or_more()
    {
        var result = CliRunner.Run("analyze", $"oci:{image.OciLayout}", "--format", "json");

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var efficiency = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("efficiency").GetProperty("score").GetDouble();
        Assert.True(efficiency >= 0.95, $"efficiency {efficiency:P2}:\n{result.Stdout}");
    }

    private static async Task<JsonElement> WaitForHealthAsync(HttpClient http, BackgroundProcess app)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            app.ThrowIfExited();
            try
            {
                using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(300);
        }
        throw new TimeoutException($"/healthz did not answer 200 within 120 s:\n{app.Output}");
    }
}
