using System.Net.Http.Json;
using System.Text.Json;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Api;

/// <summary>One real app process for the API tests, with a small upload limit so 413 is cheap to reach.</summary>
public sealed class ApiApp : IAsyncLifetime
{
    public const long UploadLimit = 2 * 1024 * 1024;

    public const int ContextEntryLimit = 1000;

    public WebAppProcess App { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await WebAppProcess.StartAsync(new Dictionary<string, string>
        {
            ["LayerLens__MaxUploadBytes"] = UploadLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LayerLens__Contexts__MaxEntries"] = ContextEntryLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // The measured-review tests build in the real build sandbox (infra/setup-build-sandbox.sh).
            ["LayerLens__Measurement__Enabled"] = "true",
        });
        Http = App.CreateClient();
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
    }

    /// <summary>Polls until the analysis leaves queued/running (60 s at most unless told).</summary>
    public Task<JsonElement> WaitForEndAsync(string id, int seconds = 60) =>
        AnalysisPolling.WaitForEndAsync(Http, id, TimeSpan.FromSeconds(seconds), () => App.Log);

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync();
    }
}
