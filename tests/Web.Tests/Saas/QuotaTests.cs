using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace LayerLens.Web.Tests.Saas;

/// <summary>Per-workspace quotas: upload size (413) and analyses queued or running at once (429 with Retry-After).</summary>
public sealed class QuotaTests(TwoWorkspacesApp app) : IClassFixture<TwoWorkspacesApp>
{
    [Fact]
    public async Task An_upload_past_the_workspaces_limit_is_413_while_other_workspaces_keep_the_server_limit()
    {
        using var tiny = app.App.CreateClient(TwoWorkspacesApp.TinyKey);
        using var content = new ByteArrayContent(new byte[2048]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var response = await tiny.PostAsync(new Uri("api/v1/analyses", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("1,024", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var same = new ByteArrayContent(new byte[2048]);
        same.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var other = await app.Alpha.PostAsync(new Uri("api/v1/analyses", UriKind.Relative), same);
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode); // accepted; it fails later as not an image
    }

    [Fact]
    public async Task A_second_analysis_while_one_is_active_is_429_with_retry_after()
    {
        using var tiny = app.App.CreateClient(TwoWorkspacesApp.TinyKey);
        // Port 1 refuses connections; the pull retries with backoff for seconds, so the first stays active.
        using var first = await tiny.PostAsJsonAsync(new Uri("api/v1/analyses", UriKind.Relative), new { image = "127.0.0.1:1/quota/app:1" });
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        using var second = await tiny.PostAsJsonAsync(new Uri("api/v1/analyses", UriKind.Relative), new { image = "127.0.0.1:1/quota/app:2" });
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter);
        Assert.Contains("quota", (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
