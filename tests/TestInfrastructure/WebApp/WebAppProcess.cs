using System.Diagnostics;
using System.Text;
using LayerLens.TestInfrastructure.Processes;

namespace LayerLens.TestInfrastructure.WebApp;

/// <summary>
/// The real LayerLens web app (Kestrel, not a test server) in its own process on a free loopback
/// port, with its own data directory. Start it, use <see cref="BaseAddress"/>, dispose it.
/// </summary>
public sealed class WebAppProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly bool _ownsDataDirectory;

    private WebAppProcess(Process process, Uri baseAddress, string dataDirectory, bool ownsDataDirectory)
    {
        _process = process;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
    }

    /// <summary>The workspace every app starts with (LayerLens:Bootstrap:Workspaces), unless started with <c>bootstrap: false</c>.</summary>
    public const string WorkspaceName = "test";
    public const string AdminEmail = "admin@layerlens.test";
    public const string AdminPassword = "correct-horse-battery-42";
    public const string ApiKey = "llk_test_bootstrap_key_0123456789abcdef";

    public Uri BaseAddress { get; }

    /// <summary>An HTTP client for the app, sending <paramref name="apiKey"/> (the bootstrap key by default; null for none) as a bearer token.</summary>
    public HttpClient CreateClient(string? apiKey = ApiKey, TimeSpan? timeout = null)
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(60) };
        if (apiKey is not null)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        }
        return http;
    }

    public string DataDirectory { get; }

    /// <summary>What the app wrote to stdout and stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The app's process id (to stop and continue it, as a long pause or a frozen VM would).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Path of the web app as built next to the running tests (same configuration).</summary>
    public static string WebAppDll =>
        Path.Combine(RepositoryPaths.Root, "src", "Web", "bin", RepositoryPaths.BuildConfiguration, "net10.0", "LayerLens.Web.dll");

    /// <summary>Starts the app and waits until /healthz answers 200.</summary>
    /// <param name="environment">Extra environment variables (configuration uses <c>__</c> for <c>:</c>).</param>
    /// <param name="dataDirectory">Reuse a data directory (e.g. to restart the app); a temp one otherwise.</param>
    /// <param name="bootstrap">Start with the <see cref="WorkspaceName"/> workspace, its admin and <see cref="ApiKey"/>.</param>
    public static async Task<WebAppProcess> StartAsync(IReadOnlyDictionary<string, string>? environment = null, string? dataDirectory = null, bool bootstrap = true)
    {
        if (!File.Exists(WebAppDll))
        {
            throw new FileNotFoundException($"The web app is not built at {WebAppDll}.");
        }

        var ownsData = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("layerlens-app-").FullName;
        var port = FreePort.Next();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(WebAppDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(WebAppDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["LayerLens__DataDirectory"] = dataDirectory;
        start.Environment["DOTNET_NOLOGO"] = "1";
        // Tests poll fast; rate-limit tests set their own low limits.
        start.Environment["LayerLens__RateLimits__RequestsPerKey"] = "1000000";
        start.Environment["LayerLens__RateLimits__RequestsPerWorkspace"] = "1000000";
        if (bootstrap)
        {
            start.Environment["LayerLens__Bootstrap__Workspaces__0__Name"] = WorkspaceName;
            start.Environment["LayerLens__Bootstrap__Workspaces__0__AdminEmail"] = AdminEmail;
            start.Environment["LayerLens__Bootstrap__Workspaces__0__AdminPassword"] = AdminPassword;
            start.Environment["LayerLens__Bootstrap__Workspaces__0__ApiKey"] = ApiKey;
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var app = new WebAppProcess(process, baseAddress, dataDirectory, ownsData);
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await app.WaitUntilHealthyAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    /// <summary>Kills the app at once, as a crash would, keeping its data directory.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>
    /// Sends SIGTERM (what a container runtime or systemd sends to stop a service) and waits for the app to exit;
    /// returns its exit code. Throws when it has not exited within <paramref name="timeout"/>.
    /// </summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (!_process.HasExited && SendSignal(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill(SIGTERM) of {_process.Id} failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The web app did not exit within {timeout.TotalSeconds} s of SIGTERM:\n{Log}");
        }
        return _process.ExitCode;
    }

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        if (_ownsDataDirectory && Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The web app exited with code {_process.ExitCode} while starting:\n{Log}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("healthz", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow first request; try again.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The web app was not healthy within {StartTimeout.TotalSeconds} s:\n{Log}");
    }
}
