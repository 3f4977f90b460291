using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Api;

public sealed class RecoveryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("layerlens-recovery-").FullName;

    [Fact]
    public async Task An_analysis_interrupted_by_a_crash_completes_once_after_the_restart()
    {
        // One uncompressed 256 MiB layer: long enough to be caught running.
        const int size = 256 * 1024 * 1024;
        var archive = Path.Combine(_dir, "big.tar");
        new SyntheticImage(new LayerTarBuilder().Dir("data").File("data/blob.bin", size, seed: 11).Build()) { Compression = LayerCompression.None }
            .WriteDockerArchiveClassic(archive);

        var data = Directory.CreateTempSubdirectory("layerlens-recovery-data-").FullName;
        // The killed run's heartbeat is still fresh when the app restarts: it is taken back once it goes stale.
        var staleAfter = new Dictionary<string, string> { ["LayerLens__Jobs__HeartbeatStaleSeconds"] = "2" };
        string id;
        await using (var first = await WebAppProcess.StartAsync(staleAfter, dataDirectory: data))
        {
            using var http = first.CreateClient(timeout: TimeSpan.FromMinutes(2));
            await using var body = File.OpenRead(archive);
            var content = new StreamContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
            using var response = await http.PostAsync(new Uri("api/v1/analyses", UriKind.Relative), content);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await StatusAsync(http, id) != "running")
            {
                Assert.True(DateTime.UtcNow < deadline, "the analysis never started");
                Assert.NotEqual("succeeded", await StatusAsync(http, id));
                await Task.Delay(20);
            }
            await first.KillAsync();
        }

        var second = await WebAppProcess.StartAsync(staleAfter, dataDirectory: data);
        try
        {
            using var http2 = second.CreateClient();
            var end = DateTime.UtcNow.AddSeconds(60);
            JsonElement analysis;
            while (true)
            {
                analysis = await (await http2.GetAsync(new Uri($"api/v1/analyses/{id}", UriKind.Relative))).Content.ReadFromJsonAsync<JsonElement>();
                if (analysis.GetProperty("status").GetString() is not ("queued" or "running"))
                {
                    break;
                }
                Assert.True(DateTime.UtcNow < end, "the recovered analysis did not finish");
                await Task.Delay(100);
            }

            Assert.Equal("succeeded", analysis.GetProperty("status").GetString());
            Assert.Equal(size, analysis.GetProperty("summary").GetProperty("sizeBytes").GetInt64());
            Assert.Equal(2, analysis.GetProperty("attempts").GetInt32()); // the crashed run and the recovered one
            var list = await http2.GetFromJsonAsync<JsonElement>("api/v1/analyses");
            Assert.Equal(1, list.GetProperty("total").GetInt32());

            // Give a late duplicate delivery time to run: it must find nothing to do.
            await Task.Delay(1500);
            var again = await http2.GetFromJsonAsync<JsonElement>($"api/v1/analyses/{id}");
            Assert.Equal(2, again.GetProperty("attempts").GetInt32());
            Assert.Equal(analysis.GetProperty("finishedAt").GetDateTime(), again.GetProperty("finishedAt").GetDateTime());
            Assert.Single(Directory.GetDirectories(Path.Combine(data, "results")));
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(data, "work")));
        }
        finally
        {
            await second.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<string?> StatusAsync(HttpClient http, string id) =>
        (await http.GetFromJsonAsync<JsonElement>($"api/v1/analyses/{id}")).GetProperty("status").GetString();

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
