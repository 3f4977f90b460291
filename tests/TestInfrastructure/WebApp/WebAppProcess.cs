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

    public Uri BaseAddress { get; }

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

    /// <summary>Path of the web app as built next to the running tests (same configuration).</summary>
    public static string WebAppDll =>
        Path.Combine(RepositoryPaths.Root, "src", "Web", "bin", RepositoryPaths.BuildConfiguration, "net10.0", "LayerLens.Web.dll");

    /// <summary>Starts the app and waits until /healthz answers 200.</summary>
    /// <param name="environment">Extra environment variables (configuration uses <c>__</c> for <c>:</c>).</param>
    /// <param name="dataDirectory">Reuse a data directory (e.g. to restart the app); a temp one otherwise.</param>
    public static async Task<WebAppProcess> StartAsync(IReadOnlyDictionary<string, string>? environment = null, string? dataDirectory = null)
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
