using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Reports;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Web.Tests.Api;

public sealed class AnalysesApiTests(ApiApp api) : IClassFixture<ApiApp>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("layerlens-api-").FullName;

    private string ScenarioArchive()
    {
        var path = Path.Combine(_dir, "scenario.tar");
        if (!File.Exists(path))
        {
            ScenarioImage.Create().WriteDockerArchiveClassic(path);
        }
        return path;
    }

    private static StreamContent Tar(Stream stream)
    {
        var content = new StreamContent(stream);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        return content;
    }

    private async Task<(HttpResponseMessage Response, JsonElement Body)> PostTarAsync(string file, string query = "")
    {
        await using var stream = File.OpenRead(file);
        var response = await api.Http.PostAsync(new Uri("api/v1/analyses" + query, UriKind.Relative), Tar(stream));
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detailContains)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Contains(detailContains, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_uploaded_tarball_is_analysed_with_the_numbers_of_its_layers_and_a_report_identical_to_the_engines()
    {
        var (response, accepted) = await PostTarAsync(ScenarioArchive(), "?name=scenario:1&project=scenario-team");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = accepted.GetProperty("id").GetString()!;
        Assert.Equal("queued", accepted.GetProperty("status").GetString());
        Assert.Equal($"/api/v1/analyses/{id}", accepted.GetProperty("links").GetProperty("self").GetString());

        var done = await api.WaitForEndAsync(id);
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal("scenario:1", done.GetProperty("name").GetString());
        Assert.Equal("scenario-team", done.GetProperty("project").GetString());
        var summary = done.GetProperty("summary");
        Assert.Equal(ScenarioImage.SizeBytes, summary.GetProperty("sizeBytes").GetInt64());
        Assert.Equal(ScenarioImage.FinalBytes, summary.GetProperty("finalBytes").GetInt64());
        Assert.Equal(ScenarioImage.WastedBytes, summary.GetProperty("wastedBytes").GetInt64());
        Assert.Equal(ScenarioImage.DuplicateBytes, summary.GetProperty("duplicateBytes").GetInt64());
        Assert.Equal(ScenarioImage.FileCount, summary.GetProperty("fileCount").GetInt32());
        Assert.Equal(3, summary.GetProperty("layerCount").GetInt32());
        var progress = done.GetProperty("progress");
        Assert.Equal(3, progress.GetProperty("layersDone").GetInt32());
        Assert.Equal(3, progress.GetProperty("layerCount").GetInt32());

        // The JSON report is what `layerlens analyze --format json` writes for the same file.
        using var report = await api.Http.GetAsync(new Uri($"api/v1/analyses/{id}/report?format=json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        var served = JsonNode.Parse(await report.Content.ReadAsStringAsync())!;
        using var image = await ImageOpener.OpenAsync(ScenarioArchive(), new ImageOpenOptions());
        var local = await ImageAnalyzer.AnalyzeAsync(image);
        var expected = new MemoryStream();
        ReportFormats.For("json").Write(local, Verdict.None, expected);
        var expectedNode = JsonNode.Parse(expected.ToArray())!;
        Assert.Equal("scenario:1", served["image"]!["reference"]!.GetValue<string>());
        served["image"]!["reference"] = expectedNode["image"]!["reference"]!.GetValue<string>();
        Assert.True(JsonNode.DeepEquals(expectedNode, served), "the served report differs from the engine's");

        foreach (var (format, type, marker) in new[] { ("sarif", "application/sarif+json", "\"version\""), ("markdown", "text/markdown", "#"), ("junit", "application/xml", "<testsuite") })
        {
            using var other = await api.Http.GetAsync(new Uri($"api/v1/analyses/{id}/report?format={format}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
            Assert.Equal(type, other.Content.Headers.ContentType?.MediaType);
            Assert.Contains(marker, await other.Content.ReadAsStringAsync());
        }

        // The work directory of the run is gone; the upload is one content-addressed blob.
        Assert.Empty(Directory.Exists(Path.Combine(api.App.DataDirectory, "work")) ? Directory.GetFileSystemEntries(Path.Combine(api.App.DataDirectory, "work")) : []);
        var digest = done.GetProperty("source").GetProperty("digest").GetString()!;
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(ScenarioArchive())));
        Assert.Equal("sha256:" + sha, digest);
        Assert.True(File.Exists(Path.Combine(api.App.DataDirectory, "blobs", "sha256", sha[..2], sha)));
    }

    [Fact]
    public async Task The_same_tarball_twice_is_stored_once_and_lists_filter_by_project()
    {
        var (first, a) = await PostTarAsync(ScenarioArchive(), "?project=dedup-check");
        var (second, b) = await PostTarAsync(ScenarioArchive(), "?project=dedup-check");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.NotEqual(a.GetProperty("id").GetString(), b.GetProperty("id").GetString());

        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(ScenarioArchive())));
        Assert.Single(Directory.GetFiles(Path.Combine(api.App.DataDirectory, "blobs", "sha256"), sha, SearchOption.AllDirectories));

        var list = await api.GetJsonAsync("api/v1/analyses?project=dedup-check&pageSize=1");
        Assert.Equal(2, list.GetProperty("total").GetInt32());
        Assert.Equal(b.GetProperty("id").GetString(), list.GetProperty("items")[0].GetProperty("id").GetString()); // newest first
        Assert.Single(list.GetProperty("items").EnumerateArray());
    }

    private async Task<List<string>> ReportDiffIdsAsync(string id)
    {
        var done = await api.WaitForEndAsync(id);
        Assert.True(done.GetProperty("status").GetString() == "succeeded", done.ToString());
        var report = await api.GetJsonAsync($"api/v1/analyses/{id}/report?format=json");
        return [.. report.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("diffId").GetString()!)];
    }

    [Fact]
    public async Task An_archive_of_several_images_is_analysed_for_the_image_chosen_by_name_or_index_and_an_unknown_choice_lists_them()
    {
        var path = Path.Combine(_dir, "two.tar");
        var (other, scenario) = MultiImageDockerArchive.WriteOtherAndScenario(path);

        // By name, as a query parameter of a tarball body.
        var (byName, accepted) = await PostTarAsync(path, "?archiveImage=" + Uri.EscapeDataString(MultiImageDockerArchive.ScenarioTag));
        Assert.Equal(HttpStatusCode.Accepted, byName.StatusCode);
        Assert.Equal(MultiImageDockerArchive.DiffIds(scenario), await ReportDiffIdsAsync(accepted.GetProperty("id").GetString()!));

        // By index, as a part of a multipart upload.
        await using (var stream = File.OpenRead(path))
        {
            using var form = new MultipartFormDataContent { { new StringContent("@0"), "archiveImage" }, { new StreamContent(stream), "image", "two.tar" } };
            using var byIndex = await api.Http.PostAsync(new Uri("api/v1/analyses", UriKind.Relative), form);
            Assert.Equal(HttpStatusCode.Accepted, byIndex.StatusCode);
            var id = (await byIndex.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            Assert.Equal(MultiImageDockerArchive.DiffIds(other), await ReportDiffIdsAsync(id));
        }

        // An unknown name or index is refused at once with every image and its tags, never the server's path.
        foreach (var choice in new[] { "example/missing:1", "@2" })
        {
            var (refused, _) = await PostTarAsync(path, "?name=two.tar&archiveImage=" + Uri.EscapeDataString(choice));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var detail = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
            Assert.Contains($"two.tar: no image", detail, StringComparison.Ordinal);
            Assert.Contains($"@0: {MultiImageDockerArchive.OtherTag}; @1: {MultiImageDockerArchive.ScenarioTag}", detail, StringComparison.Ordinal);
            Assert.DoesNotContain(api.App.DataDirectory, detail, StringComparison.Ordinal);
        }

        // Without a choice the analysis fails with the same list, as analyze does.
        var (unchosen, queued) = await PostTarAsync(path, "?name=two.tar");
        Assert.Equal(HttpStatusCode.Accepted, unchosen.StatusCode);
        var failed = await api.WaitForEndAsync(queued.GetProperty("id").GetString()!);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Contains($"two.tar: holds 2 images; choose one with docker-archive:PATH:NAME or docker-archive:PATH:@INDEX (@0: {MultiImageDockerArchive.OtherTag}; @1: {MultiImageDockerArchive.ScenarioTag})",
            failed.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_docker_25_archive_is_read_as_the_kind_named_so_a_tag_means_what_it_means_to_analyze()
    {
        // Docker 25+ writes manifest.json (RepoTags) and index.json (ref.name annotations) into one archive; the two
        // names differ here so the test tells which one the service looked the choice up in.
        var path = Path.Combine(_dir, "both.tar");
        var image = ScenarioImage.Create();
        image.WriteDockerArchiveOci(path, repoTag: "example/app:1.0", refName: "v1");

        // oci-archive:PATH:v1 - the ref.name annotation.
        var (asOci, ociAccepted) = await PostTarAsync(path, "?archiveKind=oci&archiveImage=v1");
        Assert.Equal(HttpStatusCode.Accepted, asOci.StatusCode);
        Assert.Equal(MultiImageDockerArchive.DiffIds(image), await ReportDiffIdsAsync(ociAccepted.GetProperty("id").GetString()!));

        // docker-archive:PATH:example/app:1.0 - the RepoTag, here as multipart parts.
        await using (var stream = File.OpenRead(path))
        {
            using var form = new MultipartFormDataContent
            {
                { new StringContent("docker"), "archiveKind" },
                { new StringContent("example/app:1.0"), "archiveImage" },
                { new StreamContent(stream), "image", "both.tar" },
            };
            using var asDocker = await api.Http.PostAsync(new Uri("api/v1/analyses", UriKind.Relative), form);
            Assert.Equal(HttpStatusCode.Accepted, asDocker.StatusCode);
            var id = (await asDocker.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            Assert.Equal(MultiImageDockerArchive.DiffIds(image), await ReportDiffIdsAsync(id));
        }

        // oci-archive:PATH:example/app:1.0 - no OCI tag of that name: refused listing the OCI tags.
        var (refused, _) = await PostTarAsync(path, "?name=both.tar&archiveKind=oci&archiveImage=" + Uri.EscapeDataString("example/app:1.0"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var detail = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains("no image tagged 'example/app:1.0'; tags present: v1", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(api.App.DataDirectory, detail, StringComparison.Ordinal);

        // docker-archive: of an archive without manifest.json is refused as analyze refuses it.
        var ociOnly = Path.Combine(_dir, "oci-only.tar");
        image.WriteOciArchive(ociOnly);
        var (notDocker, _) = await PostTarAsync(ociOnly, "?name=oci-only.tar&archiveKind=docker");
        Assert.Equal(HttpStatusCode.BadRequest, notDocker.StatusCode);
        Assert.Contains("oci-only.tar: no manifest.json; not a docker-archive", (await notDocker.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        var (badKind, _) = await PostTarAsync(path, "?archiveKind=zip");
        Assert.Equal(HttpStatusCode.BadRequest, badKind.StatusCode);
        Assert.Contains("'archiveKind' must be 'docker'", (await badKind.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_archive_with_a_choice_is_refused_with_400_not_500()
    {
        // manifest.json = [null]: docker's shape in name only; checking the choice must not crash the request.
        var path = Path.Combine(_dir, "nulls.tar");
        using (var tar = new System.Formats.Tar.TarWriter(File.Create(path), System.Formats.Tar.TarEntryFormat.Pax))
        {
            SyntheticImage.Add(tar, "manifest.json", "[null]"u8.ToArray());
        }

        foreach (var query in new[] { "?name=nulls.tar&archiveImage=@0", "?name=nulls.tar&archiveKind=docker&archiveImage=example/app:1" })
        {
            var (refused, _) = await PostTarAsync(path, query);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var detail = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
            Assert.Contains("nulls.tar: manifest.json", detail, StringComparison.Ordinal);
            Assert.DoesNotContain(api.App.DataDirectory, detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_file_that_is_not_an_image_fails_with_the_engines_message_and_can_be_retried()
    {
        var path = Path.Combine(_dir, "notes.txt");
        await File.WriteAllTextAsync(path, "this is not a tarball, just some text that is long enough to fill a block or two. " + new string('x', 2000));
        var (response, accepted) = await PostTarAsync(path, "?name=notes.txt");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = accepted.GetProperty("id").GetString()!;

        var failed = await api.WaitForEndAsync(id);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        var error = failed.GetProperty("error").GetString()!;
        Assert.Contains("notes.txt", error);
        Assert.DoesNotContain(api.App.DataDirectory, error); // never the server's paths
        Assert.Equal(HttpStatusCode.OK, (await api.Http.GetAsync(new Uri("healthz", UriKind.Relative))).StatusCode);

        using var report = await api.Http.GetAsync(new Uri($"api/v1/analyses/{id}/report", UriKind.Relative));
        await AssertProblemAsync(report, HttpStatusCode.Conflict, "failed");

        using var retry = await api.Http.PostAsync(new Uri($"api/v1/analyses/{id}/retry", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var again = await api.WaitForEndAsync(id);
        Assert.Equal("failed", again.GetProperty("status").GetString());

        using var cancel = await api.Http.PostAsync(new Uri($"api/v1/analyses/{id}/cancel", UriKind.Relative), null);
        await AssertProblemAsync(cancel, HttpStatusCode.Conflict, "not queued or running");
    }

    [Fact]
    public async Task Uploads_past_the_limit_are_413_with_or_without_a_length_and_leave_nothing_behind()
    {
        var big = Path.Combine(_dir, "big.tar");
        await File.WriteAllBytesAsync(big, new byte[ApiApp.UploadLimit + 4096]);
        var (withLength, _) = await PostTarAsync(big);
        await AssertProblemAsync(withLength, HttpStatusCode.RequestEntityTooLarge, "limit");

        // Chunked: the server only learns the size by counting.
        await using (var stream = File.OpenRead(big))
        {
            var content = new StreamContent(new UnknownLengthStream(stream));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/analyses") { Content = content };
            request.Headers.TransferEncodingChunked = true;
            using var chunked = await api.Http.SendAsync(request);
            await AssertProblemAsync(chunked, HttpStatusCode.RequestEntityTooLarge, "limit");
        }

        Assert.Empty(TempFiles(api.App.DataDirectory));
        var zeros = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(big)));
        Assert.Empty(Directory.GetFiles(Path.Combine(api.App.DataDirectory, "blobs", "sha256"), zeros, SearchOption.AllDirectories));
    }

    [Fact]
    public async Task An_upload_the_client_abandons_leaves_no_blob_and_no_analysis()
    {
        var before = (await api.GetJsonAsync("api/v1/analyses?pageSize=200")).GetProperty("total").GetInt32();
        using var cts = new CancellationTokenSource();
        var content = new StreamContent(new StallingStream(64 * 1024, cts));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/analyses") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => api.Http.SendAsync(request, cts.Token));

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (TempFiles(api.App.DataDirectory).Length > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Assert.Empty(TempFiles(api.App.DataDirectory));
        Assert.Equal(before, (await api.GetJsonAsync("api/v1/analyses?pageSize=200")).GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("text/plain", "hello", HttpStatusCode.UnsupportedMediaType, "application/x-tar")]
    [InlineData("application/json", "{not json", HttpStatusCode.BadRequest, "malformed")]
    [InlineData("application/json", "{}", HttpStatusCode.BadRequest, "'image' is required")]
    [InlineData("application/json", """{"image": "127.0.0.1:5000/app:1"}""", HttpStatusCode.BadRequest, "AllowPrivateNetworkTargets")]
    [InlineData("application/json", """{"image": "localhost/app:1"}""", HttpStatusCode.BadRequest, "loopback")]
    [InlineData("application/json", """{"image": "registry.example.com/app:1", "platform": "linux"}""", HttpStatusCode.BadRequest, "platform")]
    public async Task Bad_requests_are_refused_with_problem_details_that_say_what_to_send(string contentType, string body, HttpStatusCode status, string detail)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await api.Http.PostAsync(new Uri("api/v1/analyses", UriKind.Relative), content);
        await AssertProblemAsync(response, status, detail);
    }

    [Fact]
    public async Task Unknown_analyses_are_404_and_delete_removes_the_analysis_and_its_results()
    {
        var missing = Guid.NewGuid();
        foreach (var path in new[] { $"api/v1/analyses/{missing}", $"api/v1/analyses/{missing}/report" })
        {
            using var response = await api.Http.GetAsync(new Uri(path, UriKind.Relative));
            await AssertProblemAsync(response, HttpStatusCode.NotFound, missing.ToString());
        }
        using (var response = await api.Http.DeleteAsync(new Uri($"api/v1/analyses/{missing}", UriKind.Relative)))
        {
            await AssertProblemAsync(response, HttpStatusCode.NotFound, missing.ToString());
        }

        var (_, accepted) = await PostTarAsync(ScenarioArchive());
        var id = accepted.GetProperty("id").GetString()!;
        await api.WaitForEndAsync(id);
        using (var badFormat = await api.Http.GetAsync(new Uri($"api/v1/analyses/{id}/report?format=pdf", UriKind.Relative)))
        {
            await AssertProblemAsync(badFormat, HttpStatusCode.BadRequest, "json, sarif, markdown, junit");
        }
        var results = Path.Combine(api.App.DataDirectory, "results", Guid.Parse(id).ToString("N"));
        Assert.Single(Directory.GetFiles(results, "tree.bin", SearchOption.AllDirectories)); // under the run that published it
        Assert.Single(Directory.GetFiles(results, "report.json.gz", SearchOption.AllDirectories));

        using var deleted = await api.Http.DeleteAsync(new Uri($"api/v1/analyses/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.False(Directory.Exists(results));
        using var gone = await api.Http.GetAsync(new Uri($"api/v1/analyses/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_analyses_endpoints()
    {
        var doc = await api.GetJsonAsync("openapi/v1.json");
        var paths = doc.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/analyses", out var analyses));
        Assert.True(analyses.TryGetProperty("post", out _));
        Assert.True(paths.TryGetProperty("/api/v1/analyses/{id}/report", out _));
        Assert.True(paths.GetProperty("/api/v1/analyses/{id}").TryGetProperty("delete", out _));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Hides the length so HttpClient sends the body chunked.</summary>
    private sealed class UnknownLengthStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Sends some bytes, then stalls and cancels the request, as a closed browser tab would.</summary>
    private sealed class StallingStream(int bytesBeforeStall, CancellationTokenSource cancel) : Stream
    {
        private int _sent;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_sent >= bytesBeforeStall)
            {
                await Task.Delay(300, CancellationToken.None);
                await cancel.CancelAsync();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            var n = Math.Min(buffer.Length, bytesBeforeStall - _sent);
            buffer.Span[..n].Fill(7);
            _sent += n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Temp files of uploads (in each process instance's directory; the instances' lock files are not uploads).</summary>
    private static string[] TempFiles(string data) =>
        Directory.GetFiles(Path.Combine(data, "blobs", "tmp"), "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)).ToArray();
}
