using System.Net.Http.Json;
using System.Text.Json;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Crash;

/// <summary>
/// Starts the real app (its own process, SQLite and data directory) against a <see cref="HoldingRegistry"/>, and
/// restarts it on the same data directory after a kill -9. A run's heartbeat counts as stale after 2 s here.
/// </summary>
internal static class CrashApp
{
    public static Task<WebAppProcess> StartAsync(HoldingRegistry registry, string dataDirectory, IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["LayerLens__Security__AllowPrivateNetworkTargets"] = "true",
            ["LayerLens__Registries__Insecure__0"] = registry.Host,
            ["LayerLens__Jobs__HeartbeatStaleSeconds"] = "2",
            ["LayerLens__Webhooks__RetryBaseMilliseconds"] = "200",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        return WebAppProcess.StartAsync(environment, dataDirectory);
    }

    public static async Task<string> SubmitAsync(HttpClient client, string reference)
    {
        using var response = await client.PostAsJsonAsync(new Uri("api/v1/analyses", UriKind.Relative), new { image = reference });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    public static async Task<JsonElement> GetAsync(HttpClient client, string id) =>
        await client.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/analyses/{id}", UriKind.Relative));

    public static async Task<JsonElement> WaitForStatusAsync(HttpClient client, string id, string status, TimeSpan timeout, Func<string>? log = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await GetAsync(client, id);
            if (last.GetProperty("status").GetString() == status)
            {
                return last;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"analysis {id} is not {status} after {timeout.TotalSeconds} s: {last}\n{log?.Invoke()}");
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not within {timeout.TotalSeconds} s: {what}");
            }
            await Task.Delay(100);
        }
    }

    public static async Task AddWebhookAsync(HttpClient client, WebhookReceiver receiver)
    {
        using var created = await client.PostAsJsonAsync(new Uri("api/v1/webhooks", UriKind.Relative),
            new { url = receiver.Url, events = new[] { "analysis.succeeded", "analysis.failed" } });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
    }
}
