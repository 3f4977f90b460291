using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace LayerLens.TestInfrastructure.WebApp;

/// <summary>Waiting for an analysis through the API, as a client of the app would (no hook into the app).</summary>
public static class AnalysisPolling
{
    /// <summary>
    /// Polls GET api/v1/analyses/{id} every 100 ms until the analysis leaves queued/running and returns that last
    /// state; past <paramref name="timeout"/> a TimeoutException names the state and carries <paramref name="log"/> (the app's).
    /// </summary>
    public static async Task<JsonElement> WaitForEndAsync(HttpClient http, string id, TimeSpan timeout, Func<string> log)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var state = await http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/analyses/{id}", UriKind.Relative));
            var status = state.GetProperty("status").GetString();
            if (status is not ("queued" or "running"))
            {
                return state;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"analysis {id} still {status} after {timeout.TotalSeconds} s: {state}\n{log()}"));
            }
            await Task.Delay(100);
        }
    }
}
