using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.Web.Tests.Crash;

namespace LayerLens.Web.Tests.Saas;

/// <summary>
/// Branches and baselines in the real app: three builds on main and a pull request adding a 20 MB dead file, judged
/// by the project's regression policy against main's latest; the compare endpoint, the delta reports and the signed
/// <c>verdict.regressed</c> webhook; what happens without a baseline.
/// </summary>
public sealed class BaselineServiceTests(TwoWorkspacesApp app) : IClassFixture<TwoWorkspacesApp>
{
    private const string Secret = "baseline-receiver-secret-17";

    /// <summary>Limits the pull request breaks and the main builds keep; no absolute rule is set (no YAML policy).</summary>
    private const string Policy = """
        {"maxSizeIncreaseBytes": 5000000, "maxSizeIncreasePercent": null, "maxWastedIncreaseBytes": 1000000, "maxEfficiencyDrop": null,
         "newFindings": "warn", "newFindingsSeverity": "warning", "newWaste": "fail", "noBaseline": "pass"}
        """;

    private static Uri U(string path) => new(path, UriKind.Relative);

    private async Task<JsonElement> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(U(path));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task PutPolicyAsync(string project, string json)
    {
        using var put = await app.Alpha.PutAsync(U($"api/v1/projects/{project}/regression-policy"), new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
    }

    [Fact]
    public async Task A_pull_request_adding_a_dead_file_fails_only_on_the_regression_rules_against_mains_latest_and_regressed_is_delivered_signed_once()
    {
        using var receiver = new WebhookReceiver();
        using (var hook = await app.Alpha.PostAsJsonAsync(U("api/v1/webhooks"), new { url = receiver.Url, events = new[] { "verdict.regressed" }, secret = Secret }))
        {
            Assert.Equal(HttpStatusCode.Created, hook.StatusCode);
        }
        await PutPolicyAsync("baseline-app", Policy);

        var main = new List<string>();
        for (var build = 1; build <= 3; build++)
        {
            main.Add(await BaselineImages.AnalyseAsync(app, app.Alpha, BaselineImages.MainBuild(build), $"name=main-{build}&project=baseline-app&branch=main&commit=c{build}"));
        }
        var pr = await BaselineImages.AnalyseAsync(app, app.Alpha, BaselineImages.PullRequest(), "name=pr&project=baseline-app&branch=feature/dead-file&commit=f00d");

        // Each main build is compared with the one before it and passes; the first had none and passes too (noBaseline: pass).
        var first = await GetAsync(app.Alpha, $"api/v1/analyses/{main[0]}");
        Assert.Equal("main", first.GetProperty("branch").GetString());
        Assert.Equal("c1", first.GetProperty("commit").GetString());
        Assert.True(first.GetProperty("verdict").GetProperty("passed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("baseline").GetProperty("id").ValueKind);
        for (var i = 1; i < 3; i++)
        {
            var later = await GetAsync(app.Alpha, $"api/v1/analyses/{main[i]}");
            Assert.Equal(main[i - 1], later.GetProperty("baseline").GetProperty("id").GetString());
            Assert.True(later.GetProperty("verdict").GetProperty("passed").GetBoolean(), later.ToString());
            Assert.False(later.GetProperty("verdict").GetProperty("regressed").GetBoolean());
        }

        // The pull request: compared with main's latest, failed by exactly the regression rules it breaks.
        var analysis = await GetAsync(app.Alpha, $"api/v1/analyses/{pr}");
        Assert.Equal("succeeded", analysis.GetProperty("status").GetString());
        Assert.Equal("feature/dead-file", analysis.GetProperty("branch").GetString());
        Assert.Equal(main[2], analysis.GetProperty("baseline").GetProperty("id").GetString());
        var verdict = analysis.GetProperty("verdict");
        Assert.False(verdict.GetProperty("passed").GetBoolean());
        Assert.True(verdict.GetProperty("regressed").GetBoolean());
        Assert.Equal(["maxSizeIncreaseBytes", "maxWastedIncreaseBytes", "newWaste"], verdict.GetProperty("failures").EnumerateArray().Select(f => f.GetString()));

        // The stored image report's verdict lists the same failures with their values before and after.
        var report = await GetAsync(app.Alpha, $"api/v1/analyses/{pr}/report?format=json");
        var failedRules = report.GetProperty("verdict").GetProperty("failures").EnumerateArray().ToList();
        Assert.Equal(["maxSizeIncreaseBytes", "maxWastedIncreaseBytes", "newWaste"], failedRules.Select(r => r.GetProperty("rule").GetString()));
        Assert.Contains("→", failedRules[0].GetProperty("actual").GetString(), StringComparison.Ordinal);

        // The compare endpoint: the JSON delta against the recorded baseline, by default, by branch and by id.
        var delta = await GetAsync(app.Alpha, $"api/v1/analyses/{pr}/compare");
        var block = delta.GetProperty("baseline");
        Assert.True(block.GetProperty("found").GetBoolean());
        Assert.Equal(main[2], block.GetProperty("id").GetString());
        Assert.Equal("c3", block.GetProperty("commit").GetString());
        Assert.Equal("main", block.GetProperty("branch").GetString());
        Assert.Equal(BaselineImages.DeadFileBytes, block.GetProperty("image").GetProperty("sizeBytes").GetProperty("change").GetInt64());
        Assert.Equal(BaselineImages.DeadFileBytes, block.GetProperty("image").GetProperty("wastedBytes").GetProperty("change").GetInt64());
        Assert.Contains(block.GetProperty("image").GetProperty("newWaste").EnumerateArray(), w => w.GetProperty("path").GetString() == BaselineImages.DeadFile);
        Assert.False(block.GetProperty("verdict").GetProperty("passed").GetBoolean());
        var byBranch = await GetAsync(app.Alpha, $"api/v1/analyses/{pr}/compare?baseline=main");
        Assert.Equal(main[2], byBranch.GetProperty("baseline").GetProperty("id").GetString());
        var byId = await GetAsync(app.Alpha, $"api/v1/analyses/{pr}/compare?baseline={main[0]}");
        Assert.Equal(main[0], byId.GetProperty("baseline").GetProperty("id").GetString());
        Assert.Equal(BaselineImages.DeadFileBytes + 2_000, byId.GetProperty("baseline").GetProperty("image").GetProperty("sizeBytes").GetProperty("change").GetInt64());

        // The stored delta reports: Markdown for the PR comment, SARIF with baselineState.
        using (var markdown = await app.Alpha.GetAsync(U($"api/v1/analyses/{pr}/report?format=markdown&delta=true")))
        {
            var text = await markdown.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, markdown.StatusCode);
            Assert.Contains(BaselineImages.DeadFile, text, StringComparison.Ordinal);
            Assert.Contains($"/compare?a={main[2]}&b={pr}", text, StringComparison.Ordinal);
        }
        var sarif = await GetAsync(app.Alpha, $"api/v1/analyses/{pr}/report?format=sarif&delta=true");
        // An image's delta SARIF: each failed regression rule and each new waste item is new, each resolved one absent.
        var states = States(sarif);
        var newWaste = block.GetProperty("image").GetProperty("newWaste").GetArrayLength();
        var resolved = block.GetProperty("image").GetProperty("resolvedWaste").GetArrayLength();
        Assert.Equal(1, newWaste);
        Assert.Equal(0, resolved);
        Assert.Equal(3 + newWaste, states.GetValueOrDefault("new"));
        Assert.Equal(["new"], states.Keys);

        // verdict.regressed: one signed delivery, for the pull request only.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (receiver.Signed.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        await Task.Delay(1500); // a second delivery, if the app sent one, would arrive meanwhile
        var calls = receiver.Signed.ToArray();
        var call = Assert.Single(calls);
        Assert.Equal("verdict.regressed", call.Event);
        Assert.Contains(pr, call.Body, StringComparison.Ordinal);
        // Computed from the published definition, not with the app's code.
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{call.Timestamp}.{call.Body}")));
        Assert.Equal(expected, call.Signature);
        var payload = JsonDocument.Parse(call.Body).RootElement;
        Assert.Equal(main[2], payload.GetProperty("baseline").GetString());
        Assert.True(payload.GetProperty("verdict").GetProperty("regressed").GetBoolean());
    }

    /// <summary>Submits a Dockerfile for review with the multipart fields given and waits for its end.</summary>
    private async Task<string> ReviewAsync(string dockerfile, params (string Name, string Value)[] fields)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(dockerfile)), "dockerfile", "Dockerfile" } };
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }
        using var response = await app.Alpha.PostAsync(U("api/v1/analyses"), form);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await app.WaitAsync(app.Alpha, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
    }

    private static Dictionary<string, int> States(JsonElement sarif) =>
        sarif.GetProperty("runs")[0].GetProperty("results").EnumerateArray()
            .GroupBy(r => r.GetProperty("baselineState").GetString()!).ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public async Task A_pull_request_review_with_one_new_warning_and_moved_lines_marks_exactly_one_sarif_result_new_and_the_compare_endpoint_agrees()
    {
        await PutPolicyAsync("review-app", Policy);
        var main = new List<string>();
        for (var build = 1; build <= 2; build++)
        {
            main.Add(await ReviewAsync(BaselineScenarioImages.MainDockerfile, ("project", "review-app"), ("branch", "main"), ("commit", $"r{build}")));
        }
        var pr = await ReviewAsync(BaselineScenarioImages.PullRequestDockerfile, ("project", "review-app"), ("branch", "feature/cd"), ("commit", "beef"));

        var mainReport = await GetAsync(app.Alpha, $"api/v1/analyses/{main[1]}/report?format=json");
        var mainFindings = mainReport.GetProperty("findings").GetArrayLength();
        Assert.True(mainFindings >= 40, $"the scenario's Dockerfile has {mainFindings} findings on main");

        // The review job compared the pull request with main's latest review.
        var analysis = await GetAsync(app.Alpha, $"api/v1/analyses/{pr}");
        Assert.Equal("succeeded", analysis.GetProperty("status").GetString());
        Assert.Equal(main[1], analysis.GetProperty("baseline").GetProperty("id").GetString());

        // The stored delta SARIF: exactly the one new warning is new; every finding main had is unchanged (lines moved).
        var sarif = await GetAsync(app.Alpha, $"api/v1/analyses/{pr}/report?format=sarif&delta=true");
        var states = States(sarif);
        Assert.Equal(1, states.GetValueOrDefault("new"));
        Assert.Equal(mainFindings, states.GetValueOrDefault("unchanged"));
        Assert.Equal(2, states.Count);
        var added = sarif.GetProperty("runs")[0].GetProperty("results").EnumerateArray().Single(r => r.GetProperty("baselineState").GetString() == "new");
        Assert.Equal("LL-3003", added.GetProperty("ruleId").GetString()); // hadolint DL3003: cd in RUN

        // The compare endpoint (recorded baseline, and main by name) agrees.
        foreach (var path in new[] { $"api/v1/analyses/{pr}/compare", $"api/v1/analyses/{pr}/compare?baseline=main" })
        {
            var block = (await GetAsync(app.Alpha, path)).GetProperty("baseline");
            Assert.True(block.GetProperty("found").GetBoolean(), path);
            Assert.Equal(main[1], block.GetProperty("id").GetString());
            var findings = block.GetProperty("findings");
            Assert.Equal(1, findings.GetProperty("new").GetInt32());
            Assert.Equal(mainFindings, findings.GetProperty("unchanged").GetInt32());
            Assert.Equal(0, findings.GetProperty("updated").GetInt32());
            Assert.Equal(0, findings.GetProperty("absent").GetInt32());
            var rule = Assert.Single(block.GetProperty("verdict").GetProperty("rules").EnumerateArray(), r => r.GetProperty("rule").GetString() == "newFindings");
            Assert.Equal("warned", rule.GetProperty("outcome").GetString());
        }
    }

    [Fact]
    public async Task A_baseline_whose_report_is_gone_gives_way_to_the_one_before_it_and_comparing_it_says_its_report_is_no_longer_stored()
    {
        await PutPolicyAsync("removed-app", Policy);
        var older = await BaselineImages.AnalyseAsync(app, app.Alpha, BaselineImages.MainBuild(1), "project=removed-app&branch=main&commit=o1");
        var latest = await BaselineImages.AnalyseAsync(app, app.Alpha, BaselineImages.MainBuild(2), "project=removed-app&branch=main&commit=o2");
        // Main's latest keeps its row but loses its stored report (retention, or removed by hand).
        var reports = Directory.GetFiles(Path.Combine(app.App.DataDirectory, "results", Guid.Parse(latest).ToString("N")), "report.json.gz", SearchOption.AllDirectories);
        Assert.NotEmpty(reports);
        Array.ForEach(reports, File.Delete);

        // The pull request's job falls back to the build before it rather than to "no baseline".
        var pr = await BaselineImages.AnalyseAsync(app, app.Alpha, BaselineImages.MainBuild(3), "project=removed-app&branch=feature/r&commit=r1");
        var analysis = await GetAsync(app.Alpha, $"api/v1/analyses/{pr}");
        Assert.Equal(older, analysis.GetProperty("baseline").GetProperty("id").GetString());
        var block = (await GetAsync(app.Alpha, $"api/v1/analyses/{pr}/compare?baseline=main")).GetProperty("baseline");
        Assert.True(block.GetProperty("found").GetBoolean());
        Assert.Equal(older, block.GetProperty("id").GetString());
        Assert.Equal("o1", block.GetProperty("commit").GetString());

        // Comparing the analysis whose report is gone says so, not that it has yet to succeed.
        using var compare = await app.Alpha.GetAsync(U($"api/v1/analyses/{latest}/compare"));
        var problem = await compare.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Conflict, compare.StatusCode);
        var detail = JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString()!;
        Assert.Contains("no longer stored", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("once it has succeeded", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_baseline_on_the_branch_the_verdict_says_so_and_passes_or_fails_as_the_policy_says()
    {
        await PutPolicyAsync("lonely-app", Policy);
        var passed = await BaselineImages.AnalyseAsync(app, app.Alpha, BaselineImages.MainBuild(1), "project=lonely-app&branch=feature/a&baselineBranch=release");
        var analysis = await GetAsync(app.Alpha, $"api/v1/analyses/{passed}");
        Assert.True(analysis.GetProperty("verdict").GetProperty("passed").GetBoolean());
        Assert.Empty(analysis.GetProperty("verdict").GetProperty("failures").EnumerateArray());
        Assert.False(analysis.GetProperty("verdict").GetProperty("regressed").GetBoolean());
        Assert.Equal("release", analysis.GetProperty("baseline").GetProperty("branch").GetString());
        var delta = await GetAsync(app.Alpha, $"api/v1/analyses/{passed}/compare");
        Assert.False(delta.GetProperty("baseline").GetProperty("found").GetBoolean());
        var rule = Assert.Single(delta.GetProperty("baseline").GetProperty("verdict").GetProperty("rules").EnumerateArray());
        Assert.Equal("noBaseline", rule.GetProperty("rule").GetString());
        Assert.Contains("no baseline", rule.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("release", rule.GetProperty("message").GetString(), StringComparison.Ordinal);

        await PutPolicyAsync("lonely-app", Policy.Replace("\"noBaseline\": \"pass\"", "\"noBaseline\": \"fail\"", StringComparison.Ordinal));
        var failed = await BaselineImages.AnalyseAsync(app, app.Alpha, BaselineImages.MainBuild(2), "project=lonely-app&branch=feature/b&baselineBranch=release");
        var strict = await GetAsync(app.Alpha, $"api/v1/analyses/{failed}");
        Assert.Equal("succeeded", strict.GetProperty("status").GetString());
        Assert.Equal(["noBaseline"], strict.GetProperty("verdict").GetProperty("failures").EnumerateArray().Select(f => f.GetString()));
        // No baseline is not a regression: verdict.regressed is for a change that made things worse.
        Assert.False(strict.GetProperty("verdict").GetProperty("regressed").GetBoolean());
    }

    [Fact]
    public async Task A_project_default_branch_decides_the_baseline_of_a_branch_that_names_none()
    {
        using (var patch = await app.Alpha.PatchAsJsonAsync(U("api/v1/projects/develop-app"), new { defaultBranch = "develop" }))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
            Assert.Equal("develop", (await patch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("defaultBranch").GetString());
        }
        var onMain = await BaselineImages.AnalyseAsync(app, app.Alpha, BaselineImages.MainBuild(1), "project=develop-app&branch=main");
        var onDevelop = await BaselineImages.AnalyseAsync(app, app.Alpha, BaselineImages.MainBuild(2), "project=develop-app&branch=develop");
        var change = await BaselineImages.AnalyseAsync(app, app.Alpha, BaselineImages.MainBuild(3), "project=develop-app&branch=feature/c");
        Assert.Equal(onDevelop, (await GetAsync(app.Alpha, $"api/v1/analyses/{change}")).GetProperty("baseline").GetProperty("id").GetString());
        // The develop build itself had no earlier develop build: main's is not its baseline.
        Assert.Equal(JsonValueKind.Null, (await GetAsync(app.Alpha, $"api/v1/analyses/{onDevelop}")).GetProperty("baseline").GetProperty("id").ValueKind);
        Assert.NotEqual(onMain, onDevelop);
    }

    [Fact]
    public async Task Attack_another_workspaces_analysis_is_not_found_as_a_baseline_at_intake_or_in_compare()
    {
        var theirs = await BaselineImages.AnalyseAsync(app, app.Beta, BaselineImages.MainBuild(1), "project=shared-name&branch=main");
        var ours = await BaselineImages.AnalyseAsync(app, app.Alpha, BaselineImages.MainBuild(2), "project=shared-name&branch=main");

        // At intake, as a query field (tarball) and as a JSON property (registry reference).
        using (var content = new ByteArrayContent(new byte[1024]))
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
            using var upload = await app.Alpha.PostAsync(U($"api/v1/analyses?project=shared-name&branch=pr&baseline={theirs}"), content);
            Assert.Equal(HttpStatusCode.NotFound, upload.StatusCode);
            Assert.Contains(theirs, await upload.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var registry = await app.Alpha.PostAsJsonAsync(U("api/v1/analyses"), new { image = "127.0.0.1:1/x/y:1", branch = "pr", baseline = theirs }))
        {
            Assert.Equal(HttpStatusCode.NotFound, registry.StatusCode);
        }

        // In compare: their analysis as our baseline, and our analysis seen from their workspace.
        using (var compare = await app.Alpha.GetAsync(U($"api/v1/analyses/{ours}/compare?baseline={theirs}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, compare.StatusCode);
        }
        using (var foreign = await app.Beta.GetAsync(U($"api/v1/analyses/{ours}/compare?baseline={theirs}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        }
        // Same project name, same branch, in both workspaces: ours never chose theirs as its baseline.
        Assert.Equal(JsonValueKind.Null, (await GetAsync(app.Alpha, $"api/v1/analyses/{ours}")).GetProperty("baseline").GetProperty("id").ValueKind);
    }

    public static TheoryData<string, string, string> HostileNames => new()
    {
        { "branch", "main\u0007", "control character" },
        { "branch", "feature\nX-Injected: 1", "control character" },
        { "branch", "fix\u202Egnp.exe", "control character" },
        { "branch", new string('b', 256), "longer than 255" },
        { "baselineBranch", "release\u0000", "control character" },
        { "commit", new string('c', 129), "longer than 128" },
        { "baseline", "not-an-id", "GUID" },
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public async Task Attack_hostile_branch_and_commit_names_are_refused_with_400_naming_the_field_on_every_intake(string field, string value, string why)
    {
        async Task AssertRefusedAsync(HttpResponseMessage response, string intake)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{intake}: {(int)response.StatusCode} {body}");
            var detail = JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!;
            Assert.Contains($"'{field}'", detail, StringComparison.Ordinal);
            Assert.Contains(why, detail, StringComparison.Ordinal);
        }

        // A tarball upload (query fields): refused before any byte is analysed.
        var archive = Path.Combine(Path.GetTempPath(), $"layerlens-hostile-{Guid.NewGuid():N}.tar");
        BaselineImages.MainBuild(1).WriteDockerArchiveClassic(archive);
        try
        {
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(archive));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
            using var upload = await app.Alpha.PostAsync(U($"api/v1/analyses?project=hostile&{field}={Uri.EscapeDataString(value)}"), content);
            await AssertRefusedAsync(upload, "tarball");
        }
        finally
        {
            File.Delete(archive);
        }

        // A registry reference (JSON property).
        var json = new Dictionary<string, string> { ["image"] = "127.0.0.1:1/x/y:1", [field] = value };
        using (var registry = await app.Alpha.PostAsJsonAsync(U("api/v1/analyses"), json))
        {
            await AssertRefusedAsync(registry, "registry");
        }

        // A Dockerfile review (multipart field).
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes("FROM alpine:3.20\nRUN echo hi\n")), "dockerfile", "Dockerfile" },
            { new StringContent(value), field },
        };
        using (var review = await app.Alpha.PostAsync(U("api/v1/analyses"), form))
        {
            await AssertRefusedAsync(review, "multipart");
        }

        // Nothing was queued under the hostile names.
        var listed = await GetAsync(app.Alpha, "api/v1/analyses?project=hostile");
        Assert.Equal(0, listed.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Attack_hostile_names_are_refused_as_a_compare_baseline_and_a_default_branch()
    {
        var id = await BaselineImages.AnalyseAsync(app, app.Alpha, BaselineImages.MainBuild(1), "project=names-app&branch=main");
        using (var compare = await app.Alpha.GetAsync(U($"api/v1/analyses/{id}/compare?baseline={Uri.EscapeDataString("main\r\nx")}")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, compare.StatusCode);
            Assert.Contains("'baseline'", await compare.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var patch = await app.Alpha.PatchAsJsonAsync(U("api/v1/projects/names-app"), new { defaultBranch = new string('d', 300) }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, patch.StatusCode);
            Assert.Contains("'defaultBranch'", await patch.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal("main", (await GetAsync(app.Alpha, "api/v1/projects/names-app")).GetProperty("defaultBranch").GetString());
        using var bad = await app.Alpha.PutAsync(U("api/v1/projects/names-app/regression-policy"),
            new StringContent(Policy.Replace("\"newWaste\": \"fail\"", "\"newWaste\": \"explode\"", StringComparison.Ordinal), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("newWaste", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
