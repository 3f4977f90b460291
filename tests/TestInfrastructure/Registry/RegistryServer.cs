using System.Net;
using LayerLens.TestInfrastructure.Images;
using LayerLens.TestInfrastructure.Processes;

namespace LayerLens.TestInfrastructure.Registry;

/// <summary>
/// A real docker-registry on 127.0.0.1 with its own config and temp storage, removed on dispose.
/// Use <see cref="RegistryFixture"/> from xunit, or this class directly for one-off registries.
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private const int StartAttempts = 3;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly string _directory;
    private readonly BackgroundProcess _process;

    private RegistryServer(string directory, BackgroundProcess process, int port, RegistryOptions options, TokenService? tokenService)
    {
        _directory = directory;
        _process = process;
        Port = port;
        Options = options;
        TokenService = tokenService;
    }

    public RegistryOptions Options { get; }

    public int Port { get; }

    /// <summary>host:port, the registry part of image references.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public Uri BaseUri => new($"http://{Address}/");

    public string Username => Options.Username;

    public string Password => Options.Password;

    /// <summary>The in-process token issuer in <see cref="RegistryAuth.Token"/> mode; null otherwise.</summary>
    public TokenService? TokenService { get; }

    public static async Task<RegistryServer> StartAsync(RegistryOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RegistryOptions();
        var directory = Path.Combine(Path.GetTempPath(), "layerlens-registry-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        TokenService? tokenService = null;
        try
        {
            string? htpasswd = null;
            RegistryConfig.TokenSettings? token = null;
            if (options.Auth == RegistryAuth.Basic)
            {
                htpasswd = await WriteHtpasswdAsync(directory, options, cancellationToken);
            }
            else if (options.Auth == RegistryAuth.Token)
            {
                tokenService = TokenService.Start(options.Username, options.Password, RegistryConfig.TokenService, RegistryConfig.TokenIssuer);
                var bundle = Path.Combine(directory, "token-root.pem");
                await File.WriteAllTextAsync(bundle, tokenService.CertificatePem, cancellationToken);
                token = new RegistryConfig.TokenSettings(tokenService.Realm, bundle);
            }

            for (var attempt = 1; ; attempt++)
            {
                var port = FreePort.Next();
                var config = Path.Combine(directory, "config.yml");
                await File.WriteAllTextAsync(config, RegistryConfig.Render(port, Path.Combine(directory, "storage"), htpasswd, token, options), cancellationToken);
                var process = ProcessRunner.Start("docker-registry", ["serve", config]);
                try
                {
                    await WaitUntilReadyAsync(process, port, cancellationToken);
                    return new RegistryServer(directory, process, port, options, tokenService);
                }
                catch (ProcessFailedException) when (attempt < StartAttempts)
                {
                    // Most likely another process took the port between probing and binding.
                    process.Dispose();
                }
                catch
                {
                    process.Dispose();
                    throw;
                }
            }
        }
        catch
        {
            tokenService?.Dispose();
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>The reference of <paramref name="repository"/>:<paramref name="tag"/> in this registry.</summary>
    public string Reference(string repository, string tag = "latest") => $"{Address}/{repository}:{tag}";

    /// <summary>Pushes an exported test image (all platforms of an index) with skopeo; returns its reference here.</summary>
    public async Task<string> PushAsync(ImageExport image, string repository, string tag = "latest", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        var reference = Reference(repository, tag);
        List<string> args = ["--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false"];
        if (image.IsMultiPlatform)
        {
            args.Add("--all");
        }

        if (Options.Auth != RegistryAuth.None)
        {
            args.Add($"--dest-creds={Username}:{Password}");
        }

        args.AddRange([image.TransportReference, "docker://" + reference]);
        await ProcessRunner.RunAsync("skopeo", args, new ProcessOptions { Timeout = TimeSpan.FromMinutes(5) }, cancellationToken);
        return reference;
    }

    /// <summary>Runs <c>skopeo inspect</c> against this registry, with this registry's credentials unless told otherwise.</summary>
    public Task<ProcessResult> InspectAsync(string reference, bool raw = false, bool authenticate = true, bool checkExitCode = true, CancellationToken cancellationToken = default)
    {
        List<string> args = ["--insecure-policy", "inspect", "--tls-verify=false"];
        if (raw)
        {
            args.Add("--raw");
        }

        args.Add(authenticate && Options.Auth != RegistryAuth.None ? $"--creds={Username}:{Password}" : "--no-creds");
        args.Add("docker://" + reference);
        return ProcessRunner.RunAsync("skopeo", args, new ProcessOptions { Timeout = TimeSpan.FromMinutes(2), CheckExitCode = checkExitCode }, cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        _process.Dispose();
        TokenService?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind must not fail the test run.
        }

        return ValueTask.CompletedTask;
    }

    private static async Task<string> WriteHtpasswdAsync(string directory, RegistryOptions options, CancellationToken cancellationToken)
    {
        // distribution only accepts bcrypt entries.
        var entry = await ProcessRunner.RunAsync("htpasswd", ["-Bbn", options.Username, options.Password], cancellationToken: cancellationToken);
        var path = Path.Combine(directory, "htpasswd");
        await File.WriteAllTextAsync(path, entry.StandardOutput.Trim() + "\n", cancellationToken);
        return path;
    }

    private static async Task WaitUntilReadyAsync(BackgroundProcess process, int port, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (true)
        {
            process.ThrowIfExited();
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/v2/"), cancellationToken);
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Request timeout; try again.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new ProcessFailedException(process.CommandLine, null, process.Output, $"Registry did not answer /v2/ within {ReadyTimeout}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
