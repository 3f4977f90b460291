using System.Net.Http.Json;
using System.Text.Json;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Saas;

/// <summary>
/// One app with two bootstrap workspaces: "test" (the default key) and "beta" (its own all-scopes key and a
/// read-only key). Loopback targets are allowed and webhook retries wait 200 ms × 3^(n−1).
/// </summary>
public class TwoWorkspacesApp : IAsyncLifetime
{
    public const string BetaKey = "llk_beta_bootstrap_key_0123456789abcdef";
    public const string BetaReadOnlyKey = "llk_beta_readonly_key_0123456789abcdef";

    /// <summary>Workspace "tiny": uploads up to 1 KiB, one analysis queued or running at a time.</summary>
    public const string TinyKey = "llk_tiny_bootstrap_key_0123456789abcdef";

    /// <summary>An owner of "beta" (joined first) and of "test" (joined second), for the workspace switcher.</summary>
    public const string BothEmail = "both@layerlens.test";
    public const string BothPassword = "two-workspaces-owner-7";

    /// <summary>Beta's bootstrap registry host mapping: notifications naming the first are pulled from the second.</summary>
    public const string BetaMappedRegistry = "registry.internal:5000";
    public const string BetaMappedPullHost = "127.0.0.1:9";

    private readonly string _dir = Directory.CreateTempSubdirectory("layerlens-saas-").FullName;

    public WebAppProcess App { get; private set; } = null!;

    public HttpClient Alpha { get; private set; } = null!;

    public HttpClient Beta { get; private set; } = null!;

    /// <summary>Settings a variant adds (another database provider), applied over the defaults below.</summary>
    protected virtual Task<IReadOnlyDictionary<string, string>> ExtraEnvironmentAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());

    public async Task InitializeAsync()
    {
        var environment = new Dictionary<string, string>
        {
            ["LayerLens__Security__AllowPrivateNetworkTargets"] = "true",
            ["LayerLens__Webhooks__RetryBaseMilliseconds"] = "200",
            ["LayerLens__Bootstrap__Workspaces__1__Name"] = "beta",
            ["LayerLens__Bootstrap__Workspaces__1__ApiKey"] = BetaKey,
            ["LayerLens__Bootstrap__Workspaces__1__AdminEmail"] = BothEmail,
            ["LayerLens__Bootstrap__Workspaces__1__AdminPassword"] = BothPassword,
            ["LayerLens__Bootstrap__Workspaces__1__RegistryHosts__0"] = BetaMappedRegistry + "=" + BetaMappedPullHost,
            ["LayerLens__Bootstrap__Workspaces__2__Name"] = "beta",
            ["LayerLens__Bootstrap__Workspaces__2__ApiKey"] = BetaReadOnlyKey,
            ["LayerLens__Bootstrap__Workspaces__2__Scopes"] = "analyses:read",
            ["LayerLens__Bootstrap__Workspaces__3__Name"] = "tiny",
            ["LayerLens__Bootstrap__Workspaces__3__ApiKey"] = TinyKey,
            ["LayerLens__Bootstrap__Workspaces__3__MaxUploadBytes"] = "1024",
            ["LayerLens__Bootstrap__Workspaces__3__MaxActiveAnalyses"] = "1",
            ["LayerLens__Bootstrap__Workspaces__4__Name"] = WebAppProcess.WorkspaceName,
            ["LayerLens__Bootstrap__Workspaces__4__AdminEmail"] = BothEmail,
        };
        foreach (var (key, value) in await ExtraEnvironmentAsync())
        {
            environment[key] = value;
        }
        App = await WebAppProcess.StartAsync(environment);
        Alpha = App.CreateClient();
        Beta = App.CreateClient(BetaKey);
    }

    /// <summary>Uploads the hand-computed scenario image as the given workspace and waits for the analysis to end.</summary>
    public async Task<string> AnalyseScenarioAsync(HttpClient http, string name, string query = "", string? ciConfig = null)
    {
        var archive = Path.Combine(_dir, "scenario.tar");
        if (!File.Exists(archive))
        {
            ScenarioImage.Create().WriteDockerArchiveClassic(archive);
        }
        await using var body = File.OpenRead(archive);
        using var content = new StreamContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
        if (ciConfig is not null)
        {
            content.Headers.Add("X-LayerLens-CI-Config", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ciConfig)));
        }
        using var response = await http.PostAsync(new Uri($"api/v1/analyses?name={name}{query}", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
        return await WaitAsync(http, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
    }

    /// <summary>Polls until the analysis leaves queued/running.</summary>
    public async Task<string> WaitAsync(HttpClient http, string id)
    {
        await AnalysisPolling.WaitForEndAsync(http, id, TimeSpan.FromSeconds(60), () => App.Log);
        return id;
    }

    public virtual async Task DisposeAsync()
    {
        Alpha.Dispose();
        Beta.Dispose();
        await App.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
