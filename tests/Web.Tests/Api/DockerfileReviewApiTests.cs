using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Archives;

namespace LayerLens.Web.Tests.Api;

/// <summary>The Dockerfile review flow of <c>POST /api/v1/analyses</c> (multipart) and its refusals.</summary>
public sealed class DockerfileReviewApiTests(ApiApp api) : IClassFixture<ApiApp>
{
    // Line 4 copies the whole context before the install on line 5: every source edit re-runs `npm ci`.
    private const string BadlyOrdered = "FROM node:22\nWORKDIR /app\n# all sources\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"index.js\"]\n";

    private static readonly TestEntry[] NodeProject =
    [
        new("package.json", "{\"name\":\"app\"}\n"),
        new("package-lock.json", "{}\n"),
        new("index.js", "console.log(1)\n"),
    ];

    private static MultipartFormDataContent Form(string? dockerfile, (byte[] Bytes, string FileName)? context = null, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        if (dockerfile is not null)
        {
            form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(dockerfile)), "dockerfile", "Dockerfile");
        }
        if (context is { } c)
        {
            var part = new ByteArrayContent(c.Bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "context", c.FileName);
        }
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }
        return form;
    }

    private async Task<(HttpResponseMessage Response, JsonElement Body)> PostAsync(MultipartFormDataContent form)
    {
        var response = await api.Http.PostAsync(new Uri("api/v1/analyses", UriKind.Relative), form);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<string> ReportAsync(string id, string format)
    {
        using var response = await api.Http.GetAsync(new Uri($"api/v1/analyses/{id}/report?format={format}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static void AssertProblem(HttpResponseMessage response, JsonElement body, string detailContains)
    {
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = body.GetProperty("detail").GetString()!;
        Assert.True(detail.Contains(detailContains, StringComparison.Ordinal), detail);
    }

    public static TheoryData<string> Formats => ["tar", "tar.gz", "zip"];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task A_badly_ordered_Dockerfile_with_its_context_gets_the_finding_the_reordering_and_an_expected_saving(string format)
    {
        var (response, accepted) = await PostAsync(Form(BadlyOrdered, (TestArchive.Build(format, NodeProject), "context." + format), ("project", "shop-api")));

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.StatusCode}: {accepted}");
        var id = accepted.GetProperty("id").GetString()!;
        var done = await api.WaitForEndAsync(id);
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal("dockerfile", done.GetProperty("kind").GetString());
        Assert.Equal("shop-api", done.GetProperty("project").GetString());
        var summary = done.GetProperty("summary");
        Assert.True(summary.GetProperty("findingsBySeverity").GetProperty("warning").GetInt32() >= 1);
        Assert.True(summary.GetProperty("changeCount").GetInt32() >= 1);
        Assert.True(summary.GetProperty("expectedRecommendedSeconds").GetDouble() < summary.GetProperty("expectedOriginalSeconds").GetDouble());
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("measuredSavingSeconds").ValueKind);

        using var report = JsonDocument.Parse(await ReportAsync(id, "json"));
        var root = report.RootElement;
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        var finding = root.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("ruleId").GetString() == "LL-1001");
        Assert.Equal(4, finding.GetProperty("line").GetInt32());
        Assert.Equal("warning", finding.GetProperty("severity").GetString());
        Assert.Contains(root.GetProperty("changes").EnumerateArray(), c => c.GetProperty("kind").GetString() == "split-copy" && c.GetProperty("line").GetInt32() == 4);
        var recommended = root.GetProperty("recommendedDockerfile").GetString()!;
        // The manifests come first, the install runs on them alone, the sources follow.
        Assert.True(recommended.IndexOf("RUN npm ci", StringComparison.Ordinal) < recommended.IndexOf("COPY . .", StringComparison.Ordinal));
        Assert.Contains("package.json", recommended[..recommended.IndexOf("RUN npm ci", StringComparison.Ordinal)], StringComparison.Ordinal);
        Assert.StartsWith("--- a/Dockerfile\n+++ b/Dockerfile\n@@ -", root.GetProperty("diff").GetString(), StringComparison.Ordinal);
        var expected = root.GetProperty("expected");
        Assert.True(expected.GetProperty("recommendedSeconds").GetDouble() < expected.GetProperty("originalSeconds").GetDouble());
        Assert.False(root.TryGetProperty("measured", out _));

        if (format == "tar")
        {
            using var sarif = JsonDocument.Parse(await ReportAsync(id, "sarif"));
            Assert.Contains(sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray(), r => r.GetProperty("ruleId").GetString() == "LL-1001");
            var markdown = await ReportAsync(id, "markdown");
            Assert.Contains("LL-1001", markdown, StringComparison.Ordinal);
            Assert.Contains("```diff\n", markdown, StringComparison.Ordinal);
            var junit = XDocument.Parse(await ReportAsync(id, "junit"));
            Assert.Contains(junit.Descendants(), e => e.ToString().Contains("LL-1001", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_pasted_Dockerfile_without_context_is_linted_and_optimised()
    {
        var (response, accepted) = await PostAsync(Form("FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n"));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.StatusCode}: {accepted}");
        var done = await api.WaitForEndAsync(accepted.GetProperty("id").GetString()!);
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.True(done.GetProperty("summary").GetProperty("findingCount").GetInt32() >= 1);
    }

    [Theory]
    [InlineData("../escape.txt", null, "build context entry '../escape.txt' escapes the build context")]
    [InlineData("link", "../../etc", "build context entry 'link' is a symbolic link to '../../etc'")]
    [InlineData("abs", "/etc/shadow", "build context entry 'abs' is a symbolic link to '/etc/shadow'")]
    public async Task A_context_entry_that_escapes_is_refused_with_its_name(string name, string? symlinkTo, string detail)
    {
        var entries = NodeProject.Append(symlinkTo is null ? new TestEntry(name, "x") : new TestEntry(name, SymlinkTo: symlinkTo)).ToArray();
        var (response, body) = await PostAsync(Form(BadlyOrdered, (TestArchive.Build("tar", entries), "context.tar")));
        AssertProblem(response, body, detail);
    }

    [Fact]
    public async Task A_compression_bomb_and_too_many_entries_are_refused()
    {
        var bomb = TestArchive.Build("tar.gz", new TestEntry("zeros.bin", Bytes: new byte[64 * 1024 * 1024]));
        var (response, body) = await PostAsync(Form(BadlyOrdered, (bomb, "context.tar.gz")));
        AssertProblem(response, body, "'zeros.bin' unpacks to more than 200 times the archive's size");

        var many = TestArchive.Build("tar.gz", [.. Enumerable.Range(0, ApiApp.ContextEntryLimit + 1).Select(i => new TestEntry($"d{i}/", Directory: true))]);
        (response, body) = await PostAsync(Form(BadlyOrdered, (many, "context.tar.gz")));
        AssertProblem(response, body, $"more than {ApiApp.ContextEntryLimit} entries");
    }

    [Theory]
    [InlineData("just some notes about the project\nnothing to build here\n", "Dockerfile is not a Dockerfile: line 1: 'JUST' comes before any FROM instruction")]
    [InlineData("FROM busybox\0\u0001", "Dockerfile is not a Dockerfile: line 1: binary file (NUL byte)")]
    [InlineData("", "the 'dockerfile' part is empty")]
    public async Task Something_that_is_not_a_Dockerfile_is_refused(string text, string detail)
    {
        var (response, body) = await PostAsync(Form(text));
        AssertProblem(response, body, detail);
    }

    [Trait(Needs.Trait, Needs.Root)]
    [Trait(Needs.Trait, Needs.Buildah)]
    [Fact]
    public async Task Missing_parts_unknown_parts_and_a_context_that_is_no_archive_are_refused()
    {
        var (response, body) = await PostAsync(Form(null, null, ("name", "x")));
        AssertProblem(response, body, "no 'dockerfile' part");

        (response, body) = await PostAsync(Form(BadlyOrdered, null, ("notes", "x")));
        AssertProblem(response, body, "unknown part 'notes'");

        // 'image' makes it an image upload, where review-only parts make no sense.
        (response, body) = await PostAsync(Form(BadlyOrdered, null, ("image", "x"), ("measure", "true")));
        AssertProblem(response, body, "belong to a Dockerfile review");

        (response, body) = await PostAsync(Form(BadlyOrdered, (Encoding.UTF8.GetBytes("notes " + new string('-', 2000)), "context.tar")));
        AssertProblem(response, body, "not a tar, tar.gz or zip archive");

        (response, body) = await PostAsync(Form(BadlyOrdered, null, ("measure", "true")));
        AssertProblem(response, body, "needs the build context");

        (response, body) = await PostAsync(Form(BadlyOrdered, (TestArchive.Build("tar", NodeProject), "context.tar"), ("measure", "true"), ("runs", "0")));
        AssertProblem(response, body, "'runs' must be between 1 and 10");
    }

    [Trait(Needs.Trait, Needs.Root)]
    [Trait(Needs.Trait, Needs.Buildah)]
    [Fact]
    public async Task Measuring_builds_both_versions_once_and_reports_scenarios_and_equivalence()
    {
        // A real build from scratch: busybox from the host, an `npm` that takes 5 s and records its inputs
        // (long enough that one run stays clear of buildah's per-step noise on a loaded machine).
        var npm = "#!/bin/sh\nsleep 5\nmkdir -p node_modules\ncat package.json package-lock.json > node_modules/.installed\n";
        TestEntry[] context =
        [
            new("busybox", Bytes: await File.ReadAllBytesAsync("/bin/busybox"), Executable: true),
            new("tools/npm", npm, Executable: true),
            .. NodeProject,
            new("src/a.js", "a\n"),
        ];
        var dockerfile = "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n"
            + "COPY tools/npm /usr/local/bin/npm\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"cat\", \"/app/node_modules/.installed\"]\n";

        var (response, accepted) = await PostAsync(Form(dockerfile, (TestArchive.Build("tar.gz", context), "context.tar.gz"), ("measure", "true"), ("runs", "1")));

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.StatusCode}: {accepted}");
        var id = accepted.GetProperty("id").GetString()!;
        var done = await api.WaitForEndAsync(id, seconds: 240);
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        using var report = JsonDocument.Parse(await ReportAsync(id, "json"));
        var measured = report.RootElement.GetProperty("measured");
        Assert.Empty(measured.GetProperty("failures").EnumerateArray());
        Assert.True(measured.GetProperty("equivalent").GetBoolean(), measured.GetProperty("differences").ToString());
        var sourceEdit = measured.GetProperty("scenarios").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "source-edit");
        Assert.Equal(1, sourceEdit.GetProperty("runs").GetInt32());
        // After a source edit the original re-runs the 5 s install; the recommendation serves it from cache.
        Assert.True(sourceEdit.GetProperty("originalSeconds").GetDouble() >= 5, sourceEdit.ToString());
        Assert.True(sourceEdit.GetProperty("recommendedSeconds").GetDouble() < sourceEdit.GetProperty("originalSeconds").GetDouble(), sourceEdit.ToString());
        var summary = done.GetProperty("summary");
        Assert.True(summary.GetProperty("measuredEquivalent").GetBoolean());
        Assert.True(summary.GetProperty("measuredSavingSeconds").GetDouble() > 0);
    }
}
