using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Rebuild;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.Web.Tests.Saas;

namespace LayerLens.Web.Tests.Rebuilds;

/// <summary>
/// The service's Rebuild action through the real app (its own process, Hangfire, the data directory): an uploaded
/// image with dead files rebuilt, downloaded and analysed by the engine; and the attacks on it — another
/// workspace's analysis, a read-only key, a second rebuild while one runs.
/// </summary>
public sealed class RebuildApiTests(TwoWorkspacesApp app) : IClassFixture<TwoWorkspacesApp>
{
    private static Uri U(string path) => new(path, UriKind.Relative);

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private async Task<JsonElement> WaitForRebuildAsync(HttpClient http, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var state = await http.GetFromJsonAsync<JsonElement>(U($"api/v1/analyses/{id}/rebuild"));
            if (state.GetProperty("status").GetString() is not ("queued" or "running"))
            {
                return state;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"rebuild of {id} still {state}:\n{app.App.Log}"));
            }
            await Task.Delay(100);
        }
    }

    private string RebuildDirectory(string id) => Path.Combine(app.App.DataDirectory, "results", Guid.Parse(id).ToString("N"), "rebuild");

    [Fact]
    public async Task Rebuilding_an_uploaded_image_drops_its_dead_bytes_and_the_download_has_the_same_final_filesystem()
    {
        var id = await app.AnalyseScenarioAsync(app.Alpha, "rebuild-me");

        using (var started = await app.Alpha.PostAsync(U($"api/v1/analyses/{id}/rebuild"), Json("""{"compression": "zstd"}""")))
        {
            Assert.True(started.StatusCode == HttpStatusCode.Accepted, $"{started.StatusCode}: {await started.Content.ReadAsStringAsync()}");
        }
        var done = await WaitForRebuildAsync(app.Alpha, id);
        Assert.True(done.GetProperty("status").GetString() == "succeeded", done.ToString());
        var report = done.GetProperty("report");
        Assert.True(report.GetProperty("deadBytesBefore").GetInt64() > 0, report.ToString());
        Assert.Equal(0, report.GetProperty("deadBytesAfter").GetInt64());
        Assert.True(report.GetProperty("bytesAfter").GetInt64() < report.GetProperty("bytesBefore").GetInt64(), report.ToString());
        Assert.Equal(3, report.GetProperty("layersBefore").GetInt32());
        Assert.Equal(ScenarioImage.FinalBytes, report.GetProperty("finalBytes").GetInt64());
        Assert.Equal(ScenarioImage.FileCount, report.GetProperty("fileCount").GetInt32());
        Assert.NotEmpty(report.GetProperty("keptReasons").EnumerateArray());
        Assert.True(report.GetProperty("pullBytesWithKeptLayers").GetInt64() > 0);
        Assert.Equal("zstd", done.GetProperty("options").GetProperty("compression").GetString());
        Assert.Equal($"/api/v1/analyses/{id}/rebuild/download", done.GetProperty("links").GetProperty("download").GetString());

        // The download, read by the engine on its own, is the same final filesystem without dead bytes.
        var archive = Path.Combine(Path.GetTempPath(), $"layerlens-rebuilt-{Guid.NewGuid():N}.tar");
        try
        {
            using (var download = await app.Alpha.GetAsync(U($"api/v1/analyses/{id}/rebuild/download")))
            {
                Assert.Equal(HttpStatusCode.OK, download.StatusCode);
                Assert.Equal("application/x-tar", download.Content.Headers.ContentType?.MediaType);
                await using var file = File.Create(archive);
                await download.Content.CopyToAsync(file);
            }
            Assert.Equal(done.GetProperty("archiveBytes").GetInt64(), new FileInfo(archive).Length);
            using var image = await ImageOpener.OpenAsync("oci-archive:" + archive, new ImageOpenOptions());
            var rebuilt = await ImageAnalyzer.AnalyzeAsync(image);
            Assert.Equal(ScenarioImage.FinalBytes, rebuilt.FinalBytes);
            Assert.Equal(ScenarioImage.FileCount, rebuilt.FileCount);
            Assert.Equal(0, ImageRebuilder.DeadBytes(rebuilt));
            Assert.Equal(report.GetProperty("bytesAfter").GetInt64(), rebuilt.SizeBytes);
            Assert.Equal(report.GetProperty("manifestDigest").GetString(), rebuilt.Digest);
        }
        finally
        {
            File.Delete(archive);
        }

        // Only the state and the archive are left: no claim, no temporary output.
        Assert.Equal(["image.oci.tar", "state.json"], Directory.GetFileSystemEntries(RebuildDirectory(id)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Another_workspaces_analysis_is_not_found_through_every_rebuild_endpoint()
    {
        var id = await app.AnalyseScenarioAsync(app.Alpha, "alpha-rebuild-only");
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Post, $"api/v1/analyses/{id}/rebuild"),
            (HttpMethod.Get, $"api/v1/analyses/{id}/rebuild"),
            (HttpMethod.Get, $"api/v1/analyses/{id}/rebuild/download"),
            (HttpMethod.Delete, $"api/v1/analyses/{id}/rebuild"),
        })
        {
            using var response = await app.Beta.SendAsync(new HttpRequestMessage(method, U(path)));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("Analysis not found", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        }
        // Beta's POST started nothing for alpha's analysis.
        Assert.False(Directory.Exists(RebuildDirectory(id)));
        using var own = await app.Alpha.GetAsync(U($"api/v1/analyses/{id}/rebuild"));
        Assert.Equal(HttpStatusCode.NotFound, own.StatusCode);
        Assert.Equal("No rebuild", (await own.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_read_only_key_cannot_start_or_cancel_a_rebuild()
    {
        var id = await app.AnalyseScenarioAsync(app.Beta, "beta-read-only");
        using var readOnly = app.App.CreateClient(TwoWorkspacesApp.BetaReadOnlyKey);
        using (var start = await readOnly.PostAsync(U($"api/v1/analyses/{id}/rebuild"), Json("{}")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, start.StatusCode);
        }
        using (var cancel = await readOnly.DeleteAsync(U($"api/v1/analyses/{id}/rebuild")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, cancel.StatusCode);
        }
        Assert.False(Directory.Exists(RebuildDirectory(id)));
        // Reading is what the key may do.
        using var read = await readOnly.GetAsync(U($"api/v1/analyses/{id}/rebuild"));
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal("No rebuild", (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_second_rebuild_while_one_is_queued_or_running_is_a_conflict()
    {
        var id = await app.AnalyseScenarioAsync(app.Alpha, "rebuild-twice");
        var posts = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => app.Alpha.PostAsync(U($"api/v1/analyses/{id}/rebuild"), Json("""{"squash": true}"""))));
        var statuses = posts.Select(p => p.StatusCode).Order().ToList();
        foreach (var post in posts)
        {
            post.Dispose();
        }
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Conflict], statuses);
        var first = await WaitForRebuildAsync(app.Alpha, id);
        Assert.True(first.GetProperty("status").GetString() == "succeeded", first.ToString());
        Assert.Equal(1, first.GetProperty("report").GetProperty("layersAfter").GetInt32());

        // Once it ended, the analysis can be rebuilt again.
        using (var again = await app.Alpha.PostAsync(U($"api/v1/analyses/{id}/rebuild"), Json("""{"layers": 2}""")))
        {
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        }
        var second = await WaitForRebuildAsync(app.Alpha, id);
        Assert.True(second.GetProperty("status").GetString() == "succeeded", second.ToString());
    }

    [Fact]
    public async Task A_cancelled_rebuild_leaves_no_archive_and_frees_the_analysis()
    {
        var id = await app.AnalyseScenarioAsync(app.Alpha, "rebuild-cancel");
        using (var started = await app.Alpha.PostAsync(U($"api/v1/analyses/{id}/rebuild"), Json("{}")))
        {
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        }
        // Asked within milliseconds of the start: the queue is polled every 500 ms, so the job sees the cancel at its start or mid-run.
        using (var cancel = await app.Alpha.DeleteAsync(U($"api/v1/analyses/{id}/rebuild")))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }
        var done = await WaitForRebuildAsync(app.Alpha, id);
        Assert.True(done.GetProperty("status").GetString() == "cancelled", done.ToString());
        Assert.Equal(JsonValueKind.Null, done.GetProperty("links").GetProperty("download").ValueKind);
        using (var download = await app.Alpha.GetAsync(U($"api/v1/analyses/{id}/rebuild/download")))
        {
            Assert.Equal(HttpStatusCode.Conflict, download.StatusCode);
        }
        Assert.Equal(["state.json"], Directory.GetFileSystemEntries(RebuildDirectory(id)).Select(Path.GetFileName));
        using var nothingToCancel = await app.Alpha.DeleteAsync(U($"api/v1/analyses/{id}/rebuild"));
        Assert.Equal(HttpStatusCode.Conflict, nothingToCancel.StatusCode);
    }

    [Fact]
    public async Task Drop_junk_and_link_duplicates_are_passed_to_the_engine_and_every_changed_path_is_reported()
    {
        var id = await app.AnalyseScenarioAsync(app.Alpha, "rebuild-drop-junk");

        using (var started = await app.Alpha.PostAsync(U($"api/v1/analyses/{id}/rebuild"), Json("""{"dropJunk": true, "linkDuplicates": true}""")))
        {
            Assert.True(started.StatusCode == HttpStatusCode.Accepted, $"{started.StatusCode}: {await started.Content.ReadAsStringAsync()}");
        }
        var done = await WaitForRebuildAsync(app.Alpha, id);
        Assert.True(done.GetProperty("status").GetString() == "succeeded", done.ToString());
        Assert.True(done.GetProperty("options").GetProperty("dropJunk").GetBoolean());
        var report = done.GetProperty("report");
        // ScenarioImage's junk: the apt cache, a .tmp file, a __pycache__ directory. Its two equal scripts differ in mode: not linked.
        Assert.Equal(["app/__pycache__", "app/__pycache__/m.pyc", "app/notes.tmp", "var/cache/apt/pkgcache.bin"],
            report.GetProperty("changedPaths").EnumerateArray().Select(c => c.GetProperty("path").GetString()));
        Assert.Equal(500 + 40 + 60, report.GetProperty("junkBytesDropped").GetInt64());
        Assert.Equal(0, report.GetProperty("duplicateBytesSaved").GetInt64());
        Assert.Equal(ScenarioImage.FinalBytes - 600, report.GetProperty("finalBytes").GetInt64());
    }

    [Fact]
    public async Task Bad_options_and_a_dockerfile_analysis_are_refused()
    {
        var id = await app.AnalyseScenarioAsync(app.Alpha, "rebuild-options");
        foreach (var body in new[] { """{"compression": "brotli"}""", """{"layers": 0}""", """{"squash": true, "layers": 2}""", """{"dropJunk": "yes"}""", """{"linkDuplicates": 1}""", "not json" })
        {
            using var response = await app.Alpha.PostAsync(U($"api/v1/analyses/{id}/rebuild"), Json(body));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body}: {response.StatusCode}");
        }
        using var download = await app.Alpha.GetAsync(U($"api/v1/analyses/{id}/rebuild/download"));
        Assert.Equal(HttpStatusCode.Conflict, download.StatusCode);
    }
}
