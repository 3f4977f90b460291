using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.LayerCache;

/// <summary>What one analysis ended as, as its workspace sees it through the API.</summary>
public sealed record AnalysisOutcome(string Id, string Status, string? Error, string? JsonReport)
{
    /// <summary>Status, error and report together: what a workspace learns from the analysis.</summary>
    public string Seen => $"{Status}\n{Error}\n{JsonReport}";
}

/// <summary>
/// The real app with two workspaces sharing one data directory (so one layer cache): "test" (alpha, the default key)
/// and "beta". Loopback registries are allowed; <paramref name="insecureRegistries"/> are reached over plain HTTP.
/// </summary>
public sealed partial class LayerCacheApp(WebAppProcess app) : IAsyncDisposable
{
    public const string BetaKey = "llk_beta_cache_key_0123456789abcdef";

    public WebAppProcess App { get; } = app;

    public HttpClient Alpha { get; } = app.CreateClient();

    public HttpClient Beta { get; } = app.CreateClient(BetaKey);

    public static async Task<LayerCacheApp> StartAsync(IEnumerable<string>? insecureRegistries = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["LayerLens__Security__AllowPrivateNetworkTargets"] = "true",
            ["LayerLens__Bootstrap__Workspaces__1__Name"] = "beta",
            ["LayerLens__Bootstrap__Workspaces__1__ApiKey"] = BetaKey,
        };
        var i = 0;
        foreach (var registry in insecureRegistries ?? [])
        {
            environment[$"LayerLens__Registries__Insecure__{i++}"] = registry;
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        return new LayerCacheApp(await WebAppProcess.StartAsync(environment));
    }

    public async Task<AnalysisOutcome> UploadAsync(HttpClient http, byte[] archive, string name)
    {
        using var content = new ByteArrayContent(archive);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var response = await http.PostAsync(new Uri($"api/v1/analyses?name={Uri.EscapeDataString(name)}", UriKind.Relative), content);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return await WaitAsync(http, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
    }

    public async Task<AnalysisOutcome> PullAsync(HttpClient http, string image, string? username = null, string? password = null)
    {
        object body = username is null ? new { image } : new { image, credentials = new { username, password } };
        using var response = await http.PostAsJsonAsync(new Uri("api/v1/analyses", UriKind.Relative), body);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return await WaitAsync(http, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
    }

    private async Task<AnalysisOutcome> WaitAsync(HttpClient http, string id)
    {
        var state = await AnalysisPolling.WaitForEndAsync(http, id, TimeSpan.FromSeconds(90), () => App.Log);
        var status = state.GetProperty("status").GetString()!;
        var error = state.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        string? report = null;
        if (status == "succeeded")
        {
            using var reportResponse = await http.GetAsync(new Uri($"api/v1/analyses/{id}/report?format=json", UriKind.Relative));
            reportResponse.EnsureSuccessStatusCode();
            // The report names the analysis it belongs to nowhere but in these ids; everything else must match.
            report = (await reportResponse.Content.ReadAsStringAsync()).Replace(id, "<id>", StringComparison.Ordinal);
        }
        return new AnalysisOutcome(id, status, error, report);
    }

    /// <summary>The layer-cache line the job logged for one analysis: change sets reused, and lookups the access rule refused.</summary>
    public (int Reused, int Refused) CacheUse(string analysisId)
    {
        var match = CacheLine().Matches(App.Log).SingleOrDefault(m => m.Groups["id"].Value == Guid.Parse(analysisId).ToString("D"));
        Assert.True(match is not null, $"no layer-cache line for analysis {analysisId}:\n{App.Log}");
        return (int.Parse(match.Groups["reused"].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups["refused"].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"Layer cache: analysis (?<id>[0-9a-f-]{36}) reused (?<reused>\d+) layer change set\(s\); the access rule refused (?<refused>\d+)")]
    private static partial Regex CacheLine();

    public async ValueTask DisposeAsync()
    {
        Alpha.Dispose();
        Beta.Dispose();
        await App.DisposeAsync();
    }
}
