using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Web.Tests.Saas;

/// <summary>Project policies and uploaded CI configuration decide the report's verdict; CI-ready report details.</summary>
public sealed class CiVerdictTests(TwoWorkspacesApp app) : IClassFixture<TwoWorkspacesApp>
{
    private static Uri U(string path) => new(path, UriKind.Relative);

    private async Task<JsonElement> JsonReportAsync(string id) =>
        await app.Alpha.GetFromJsonAsync<JsonElement>(U($"api/v1/analyses/{id}/report?format=json"));

    [Fact]
    public async Task A_project_policy_fails_an_image_whose_wasted_bytes_exceed_it_and_an_uploaded_config_can_relax_it()
    {
        // The scenario image wastes ScenarioImage.WastedBytes (> 1 byte): a 1-byte limit fails it.
        using (var put = await app.Alpha.PutAsync(U("api/v1/projects/ci-team/policy"), new StringContent("thresholds:\n  maxWastedBytes: 1\nrules:\n  lowestEfficiency: off\n  highestUserWastedPercent: off\n", Encoding.UTF8, "application/yaml")))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }
        var failing = await app.AnalyseScenarioAsync(app.Alpha, "strict", "&project=ci-team");
        var analysis = await app.Alpha.GetFromJsonAsync<JsonElement>(U($"api/v1/analyses/{failing}"));
        Assert.False(analysis.GetProperty("verdict").GetProperty("passed").GetBoolean());
        Assert.Equal(["maxWastedBytes"], analysis.GetProperty("verdict").GetProperty("failures").EnumerateArray().Select(f => f.GetString()));
        var report = await JsonReportAsync(failing);
        Assert.False(report.GetProperty("verdict").GetProperty("passed").GetBoolean());

        // The request's own layerlens.yaml is applied after the project's policy.
        var relaxed = await app.AnalyseScenarioAsync(app.Alpha, "relaxed", "&project=ci-team",
            ciConfig: $"thresholds:\n  maxWastedBytes: {ScenarioImage.WastedBytes}\n");
        var passed = await app.Alpha.GetFromJsonAsync<JsonElement>(U($"api/v1/analyses/{relaxed}"));
        Assert.True(passed.GetProperty("verdict").GetProperty("passed").GetBoolean());

        // Another workspace cannot read or change the project's policy (it has no such project).
        using var foreign = await app.Beta.GetAsync(U("api/v1/projects/ci-team/policy"));
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }

    [Fact]
    public async Task An_invalid_policy_or_uploaded_config_is_refused_naming_the_key()
    {
        using var put = await app.Alpha.PutAsync(U("api/v1/projects/x/policy"), new StringContent("thresholds:\n  maxWastedBytes: lots\n", Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Contains("maxWastedBytes", (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var post = await app.Alpha.PostAsJsonAsync(U("api/v1/analyses"), new { image = "127.0.0.1:1/x/y:1", ciConfig = "thresholds:\n  maxLintSeverity: catastrophic\n" });
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.Contains("maxLintSeverity", (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_layerlens_yaml_with_a_lint_override_section_is_accepted_as_policy_as_the_cli_accepts_it()
    {
        using (var put = await app.Alpha.PutAsync(U("api/v1/projects/override-team/policy"), new StringContent("override:\n  error: [DL3008]\nthresholds:\n  maxWastedBytes: 20MB\n", Encoding.UTF8, "application/yaml")))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        using var unknown = await app.Alpha.PutAsync(U("api/v1/projects/override-team/policy"), new StringContent("override:\n  warning: [DL9999]\n", Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var detail = (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains("override.warning", detail, StringComparison.Ordinal);
        Assert.Contains("DL9999", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dockerfile_review_names_the_ci_path_in_sarif_and_fails_on_the_worst_lint_severity_and_markdown_links_back()
    {
        // 'FROM ubuntu' (no tag) is a warning in hadolint's DL3006 and BuildKit alike; allowing only info fails it.
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes("FROM ubuntu\nRUN echo hi\n")), "dockerfile", "Dockerfile" },
            { new StringContent("services/api/Dockerfile"), "dockerfilePath" },
            { new StringContent("thresholds:\n  maxLintSeverity: info\nrules:\n  lowestEfficiency: off\n  highestUserWastedPercent: off\n"), "ciconfig" },
        };
        using var response = await app.Alpha.PostAsync(U("api/v1/analyses"), form);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = await app.WaitAsync(app.Alpha, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        var analysis = await app.Alpha.GetFromJsonAsync<JsonElement>(U($"api/v1/analyses/{id}"));
        Assert.Equal("succeeded", analysis.GetProperty("status").GetString());
        Assert.False(analysis.GetProperty("verdict").GetProperty("passed").GetBoolean());
        Assert.Contains("maxLintSeverity", analysis.GetProperty("verdict").GetProperty("failures").EnumerateArray().Select(f => f.GetString()));

        var sarif = await app.Alpha.GetFromJsonAsync<JsonElement>(U($"api/v1/analyses/{id}/report?format=sarif"));
        var uris = sarif.GetProperty("runs")[0].GetProperty("results").EnumerateArray()
            .Select(r => r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString())
            .Distinct().ToList();
        Assert.Equal(["services/api/Dockerfile"], uris);

        var markdown = await app.Alpha.GetStringAsync(U($"api/v1/analyses/{id}/report?format=markdown"));
        Assert.Contains($"/analyses/{id})", markdown, StringComparison.Ordinal);
        Assert.Contains(app.App.BaseAddress.ToString().TrimEnd('/'), markdown, StringComparison.Ordinal);
    }
}
