using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LayerLens.TestInfrastructure.WebApp;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Archives;

namespace LayerLens.Web.Tests.Api;

/// <summary>
/// Who may make the server build: measuring is refused while LayerLens:Measurement:Enabled is off, for callers
/// without analyses:write, and past the workspace's daily build budget (real app processes).
/// </summary>
public sealed class MeasurementGateApiTests
{
    private const string ViewerKey = "llk_measure_viewer_key_0123456789abcdef";

    private const string Dockerfile = "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nCOPY a.txt /a.txt\n";

    private static async Task<MultipartFormDataContent> FormAsync(int runs, string dockerfile = Dockerfile)
    {
        var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(dockerfile)), "dockerfile", "Dockerfile");
        var context = new ByteArrayContent(TestArchive.Build("tar",
            new TestEntry("busybox", Bytes: await File.ReadAllBytesAsync("/bin/busybox"), Executable: true),
            new TestEntry("a.txt", "a\n")));
        context.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(context, "context", "context.tar");
        form.Add(new StringContent("true"), "measure");
        form.Add(new StringContent(runs.ToString(System.Globalization.CultureInfo.InvariantCulture)), "runs");
        return form;
    }

    private static async Task<(HttpStatusCode Status, string Detail, string Text)> PostAsync(HttpClient http, int runs)
    {
        using var response = await http.PostAsync(new Uri("api/v1/analyses", UriKind.Relative), await FormAsync(runs));
        var text = await response.Content.ReadAsStringAsync();
        var detail = text.StartsWith('{') && JsonDocument.Parse(text).RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
        return (response.StatusCode, detail, text);
    }

    [Fact]
    public async Task Measuring_is_refused_while_it_is_not_enabled()
    {
        await using var app = await WebAppProcess.StartAsync();
        using var http = app.CreateClient();
        var (status, detail, text) = await PostAsync(http, 1);
        Assert.True(status == HttpStatusCode.BadRequest, $"{status}: {text}");
        Assert.Contains("measuring rebuilds is off on this server (LayerLens:Measurement:Enabled is not true)", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enabled_without_a_working_sandbox_refuses_to_measure_instead_of_building_unsandboxed()
    {
        await using var app = await WebAppProcess.StartAsync(new Dictionary<string, string>
        {
            ["LayerLens__Measurement__Enabled"] = "true",
            ["LayerLens__Measurement__BuildUser"] = "layerlens-no-such-user",
        });
        using var http = app.CreateClient();
        var (status, detail, text) = await PostAsync(http, 1);
        Assert.True(status == HttpStatusCode.BadRequest, $"{status}: {text}");
        Assert.Contains("this server cannot set up its build sandbox", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("layerlens-no-such-user", detail, StringComparison.Ordinal);
    }

    [Trait(Needs.Trait, Needs.Root)]
    [Trait(Needs.Trait, Needs.Buildah)]
    [Fact]
    public async Task A_viewer_is_refused_and_a_workspace_past_its_daily_build_budget_gets_429()
    {
        await using var app = await WebAppProcess.StartAsync(new Dictionary<string, string>
        {
            ["LayerLens__Measurement__Enabled"] = "true",
            // Two measurements of one run (8 builds each) a day.
            ["LayerLens__Measurement__MaxBuildsPerDay"] = "16",
            ["LayerLens__Bootstrap__Workspaces__1__Name"] = WebAppProcess.WorkspaceName,
            ["LayerLens__Bootstrap__Workspaces__1__ApiKey"] = ViewerKey,
            ["LayerLens__Bootstrap__Workspaces__1__Scopes"] = "analyses:read",
        });
        using var viewer = app.CreateClient(ViewerKey);
        var refused = await PostAsync(viewer, 1);
        Assert.True(refused.Status == HttpStatusCode.Forbidden, $"{refused.Status}: {refused.Text}");

        using var member = app.CreateClient();
        var tooMany = await PostAsync(member, 3);
        Assert.True(tooMany.Status == HttpStatusCode.TooManyRequests, $"{tooMany.Status}: {tooMany.Text}");
        Assert.Contains("measured builds in the last 24 hours", tooMany.Detail, StringComparison.Ordinal);

        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var accepted = await PostAsync(member, 1);
            Assert.True(accepted.Status == HttpStatusCode.Accepted, $"{accepted.Status}: {accepted.Text}");
            ids.Add(JsonDocument.Parse(accepted.Text).RootElement.GetProperty("id").GetString()!);
        }
        var past = await PostAsync(member, 1);
        Assert.True(past.Status == HttpStatusCode.TooManyRequests, $"{past.Status}: {past.Text}");
        Assert.Contains("has requested 16 of its 16 measured builds in the last 24 hours", past.Detail, StringComparison.Ordinal);
        foreach (var id in ids)
        {
            using var _ = await member.PostAsync(new Uri($"api/v1/analyses/{id}/cancel", UriKind.Relative), null);
        }
    }

    [Trait(Needs.Trait, Needs.Root)]
    [Trait(Needs.Trait, Needs.Buildah)]
    [Fact]
    public async Task A_memory_hog_is_stopped_at_the_limit_the_report_names_and_the_server_stays_healthy()
    {
        await using var app = await WebAppProcess.StartAsync(new Dictionary<string, string>
        {
            ["LayerLens__Measurement__Enabled"] = "true",
            ["LayerLens__Measurement__MemoryBytes"] = (384L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var http = app.CreateClient();
        using var hog = await FormAsync(1, Dockerfile + "RUN dd if=/dev/zero of=/dev/null bs=1000M count=1\n");
        using var response = await http.PostAsync(new Uri("api/v1/analyses", UriKind.Relative), hog);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.StatusCode}: {text}");
        var id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;

        var deadline = DateTime.UtcNow.AddSeconds(180);
        JsonElement status;
        do
        {
            await Task.Delay(500);
            using var health = await http.GetAsync(new Uri("healthz", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            status = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/v1/analyses/{id}", UriKind.Relative))).RootElement.Clone();
        }
        while (status.GetProperty("status").GetString() is "queued" or "running" && DateTime.UtcNow < deadline);

        var report = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/v1/analyses/{id}/report?format=json", UriKind.Relative))).RootElement;
        var failures = report.GetProperty("measured").GetProperty("failures").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.Contains(failures, f => f.StartsWith("build of the original Dockerfile stopped: memory limit of 384 MiB reached", StringComparison.Ordinal));
    }
}
