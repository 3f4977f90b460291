using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Tests.Images;
using System.Net;
using System.Net.Sockets;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Images.Registry;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Analyzer.Tests.Images.Registry;

/// <summary>Registries that misbehave: stall, answer garbage, redirect, rate-limit. Served in-process on loopback.</summary>
public sealed class FakeRegistryTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SyntheticImage _image = new(new LayerTarBuilder().File("hello", 1000, seed: 1).Build());
    private readonly Dictionary<string, byte[]> _blobs;
    private readonly string _manifestDigest;
    private readonly int _port;
    private int _requests;

    public FakeRegistryTests()
    {
        (_blobs, _manifestDigest, _) = _image.Blobs();
        _port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _listener.Start();
    }

    private Func<HttpListenerContext, string, Task>? Behaviour { get; set; }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private void Serve() => _ = Task.Run(async () =>
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                Interlocked.Increment(ref _requests);
                try
                {
                    await Behaviour!(context, context.Request.Url!.AbsolutePath);
                }
                catch (Exception) when (_stop.IsCancellationRequested || true)
                {
                    // a client that gave up closes the socket; that is fine here
                }
                finally
                {
                    try { context.Response.Close(); } catch (ObjectDisposedException) { } catch (HttpListenerException) { }
                }
            });
        }
    });

    private async Task Honest(HttpListenerContext c, string path)
    {
        byte[]? body = null;
        if (path.EndsWith("/manifests/v1", StringComparison.Ordinal))
        {
            body = _blobs[_manifestDigest];
            c.Response.ContentType = "application/vnd.oci.image.manifest.v1+json";
        }
        else if (path.Contains("/blobs/", StringComparison.Ordinal) && _blobs.TryGetValue(path[(path.LastIndexOf('/') + 1)..], out var blob))
        {
            body = blob;
        }
        if (body is null)
        {
            c.Response.StatusCode = 404;
            return;
        }
        c.Response.ContentLength64 = body.Length;
        await c.Response.OutputStream.WriteAsync(body);
    }

    private Task<LayerLens.Analyzer.Analysis.ImageAnalysis> AnalyzeAsync(TimeSpan? timeout = null)
    {
        var options = new ImageOpenOptions
        {
            Registry = new RegistryOptions { Insecure = true, Timeout = timeout ?? TimeSpan.FromSeconds(10), MaxRetries = 3, RetryBaseDelay = TimeSpan.FromMilliseconds(10) },
        };
        return Run();

        async Task<LayerLens.Analyzer.Analysis.ImageAnalysis> Run()
        {
            using var image = await ImageOpener.OpenAsync($"docker://127.0.0.1:{_port}/test/app:v1", options);
            return await LayerLens.Analyzer.Analysis.ImageAnalyzer.AnalyzeAsync(image);
        }
    }

    [Fact]
    public async Task An_honest_registry_works()
    {
        Behaviour = Honest;
        Serve();

        var result = await AnalyzeAsync();

        Assert.Equal(1000, result.FinalBytes);
        Assert.Equal(_manifestDigest, result.Digest);
    }

    [Fact]
    public async Task A_stalled_blob_download_times_out_naming_the_blob()
    {
        var layerDigest = LayerDigest;
        Behaviour = async (c, path) =>
        {
            if (path.EndsWith(layerDigest, StringComparison.Ordinal))
            {
                c.Response.ContentLength64 = _blobs[layerDigest].Length;
                await c.Response.OutputStream.WriteAsync(_blobs[layerDigest].AsMemory(0, 100));
                await c.Response.OutputStream.FlushAsync();
                await Task.Delay(TimeSpan.FromSeconds(30), _stop.Token);
                return;
            }
            await Honest(c, path);
        };
        Serve();

        var started = DateTime.UtcNow;
        var ex = await Assert.ThrowsAsync<RegistryException>(() => AnalyzeAsync(TimeSpan.FromSeconds(1)));

        Assert.Contains(layerDigest, ex.Message);
        Assert.Contains("stalled", ex.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20));
    }

    private string LayerDigest => _blobs.Keys.First(k => k != _manifestDigest && _blobs[k].Length > 500);

    /// <summary>Serves a blob honouring <c>Range: bytes=N-</c> (206), or the whole of it (200) when <paramref name="honourRange"/> is false.</summary>
    private static async Task ServeRange(HttpListenerContext c, byte[] blob, bool honourRange, int cutAfter = -1)
    {
        long from = 0;
        var range = c.Request.Headers["Range"];
        if (honourRange && range is not null && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            from = long.Parse(range["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
            c.Response.StatusCode = 206;
            c.Response.AddHeader("Content-Range", $"bytes {from}-{blob.Length - 1}/{blob.Length}");
        }
        c.Response.ContentLength64 = blob.Length - from;
        if (cutAfter < 0)
        {
            await c.Response.OutputStream.WriteAsync(blob.AsMemory((int)from));
            return;
        }
        // Half the body, then the connection drops (after the client has had time to read what came).
        await c.Response.OutputStream.WriteAsync(blob.AsMemory((int)from, cutAfter));
        await c.Response.OutputStream.FlushAsync();
        await Task.Delay(300);
        c.Response.Abort();
    }

    private static string JsonReport(LayerLens.Analyzer.Analysis.ImageAnalysis analysis)
    {
        using var buffer = new MemoryStream();
        new LayerLens.Analyzer.Reports.JsonReportWriter().Write(analysis, LayerLens.Analyzer.Reports.Verdicts.Verdict.None, buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_blob_download_cut_midway_resumes_and_gives_the_same_report(bool honourRange)
    {
        Behaviour = Honest;
        Serve();
        var expected = JsonReport(await AnalyzeAsync());

        var layerDigest = LayerDigest;
        var blob = _blobs[layerDigest];
        var half = blob.Length / 2;
        var blobRequests = new System.Collections.Concurrent.ConcurrentQueue<string?>();
        Behaviour = async (c, path) =>
        {
            if (!path.EndsWith(layerDigest, StringComparison.Ordinal))
            {
                await Honest(c, path);
                return;
            }
            blobRequests.Enqueue(c.Request.Headers["Range"]);
            await ServeRange(c, blob, honourRange, cutAfter: blobRequests.Count == 1 ? half : -1);
        };

        var actual = JsonReport(await AnalyzeAsync());

        Assert.Equal(expected, actual);
        // The second request asked for the rest, from the first byte not yet received.
        Assert.Equal(new[] { "", $"bytes={half}-" }, blobRequests.Select(r => r ?? "").ToArray());
    }

    [Fact]
    public async Task A_registry_that_keeps_cutting_the_download_fails_naming_the_blob()
    {
        var layerDigest = LayerDigest;
        var blob = _blobs[layerDigest];
        var requests = 0;
        Behaviour = async (c, path) =>
        {
            if (!path.EndsWith(layerDigest, StringComparison.Ordinal))
            {
                await Honest(c, path);
                return;
            }
            Interlocked.Increment(ref requests);
            // Every answer gives 10 more bytes and then drops the connection: progress, but never the end.
            await ServeRange(c, blob, honourRange: true, cutAfter: 10);
        };
        Serve();

        var ex = await Assert.ThrowsAsync<RegistryException>(() => AnalyzeAsync());

        Assert.Contains(layerDigest, ex.Message);
        Assert.Contains("gave up after 5 resumed downloads", ex.Message);
        Assert.Equal(1 + 5, requests);
    }

    [Fact]
    public async Task A_registry_that_never_answers_times_out()
    {
        Behaviour = async (c, path) => await Task.Delay(TimeSpan.FromSeconds(30), _stop.Token);
        Serve();

        var ex = await Assert.ThrowsAsync<RegistryException>(() => AnalyzeAsync(TimeSpan.FromMilliseconds(500)));

        Assert.Contains("no answer", ex.Message);
    }

    [Fact]
    public async Task Garbage_manifest_is_invalid_input()
    {
        Behaviour = async (c, path) => await c.Response.OutputStream.WriteAsync("<html>not json</html>"u8.ToArray());
        Serve();

        var ex = await Assert.ThrowsAsync<InvalidImageException>(() => AnalyzeAsync());

        Assert.Contains("malformed JSON", ex.Message);
    }

    [Fact]
    public async Task Rate_limits_and_server_errors_are_retried()
    {
        var failures = 0;
        Behaviour = async (c, path) =>
        {
            if (Interlocked.Increment(ref failures) <= 2)
            {
                c.Response.StatusCode = failures == 1 ? 429 : 503;
                return;
            }
            await Honest(c, path);
        };
        Serve();

        var result = await AnalyzeAsync();

        Assert.Equal(1000, result.FinalBytes);
    }

    [Fact]
    public async Task Authorization_is_not_forwarded_on_a_redirect_to_another_host()
    {
        // The registry demands basic auth and redirects blobs to "storage" on another host name (localhost vs 127.0.0.1).
        string? authorizationAtStorage = "unset";
        Behaviour = async (c, path) =>
        {
            var host = c.Request.Url!.Host;
            if (host == "localhost")
            {
                authorizationAtStorage = c.Request.Headers["Authorization"];
                await Honest(c, path);
                return;
            }
            if (c.Request.Headers["Authorization"] is null)
            {
                c.Response.StatusCode = 401;
                c.Response.AddHeader("WWW-Authenticate", "Basic realm=\"test\"");
                return;
            }
            if (path.Contains("/blobs/", StringComparison.Ordinal))
            {
                c.Response.StatusCode = 307;
                c.Response.RedirectLocation = $"http://localhost:{_port}{path}";
                return;
            }
            await Honest(c, path);
        };
        _listener.Prefixes.Add($"http://localhost:{_port}/");
        Serve();
        var options = new ImageOpenOptions
        {
            Registry = new RegistryOptions { Insecure = true, Credentials = new RegistryCredentials("u", "p"), Timeout = TimeSpan.FromSeconds(10) },
        };

        using var image = await ImageOpener.OpenAsync($"docker://127.0.0.1:{_port}/test/app:v1", options);
        var result = await LayerLens.Analyzer.Analysis.ImageAnalyzer.AnalyzeAsync(image);

        Assert.Equal(1000, result.FinalBytes);
        Assert.Null(authorizationAtStorage);
    }

    [Fact]
    public async Task A_token_realm_streaming_an_endless_body_is_refused_naming_the_realm()
    {
        var realm = $"127.0.0.1:{_port}";
        Behaviour = async (c, path) =>
        {
            if (path.StartsWith("/token"))
            {
                c.Response.SendChunked = true;
                var chunk = new byte[65536];
                chunk.AsSpan().Fill((byte)'a');
                for (var i = 0; i < 4096 && !_stop.IsCancellationRequested; i++)
                {
                    await c.Response.OutputStream.WriteAsync(chunk, _stop.Token);
                }
                return;
            }
            c.Response.StatusCode = 401;
            c.Response.AddHeader("WWW-Authenticate", $"Bearer realm=\"http://{realm}/token\",service=\"test\"");
        };
        Serve();

        var ex = await Assert.ThrowsAsync<RegistryException>(() => AnalyzeAsync());

        Assert.Contains("limit", ex.Message);
        Assert.Contains(realm, ex.Message);
    }

    [Fact]
    public void Insecure_is_only_for_loopback()
    {
        var ex = Assert.Throws<RegistryException>(() => new RegistryClient(RegistryReference.Parse("registry.example.com/app:1"), new RegistryOptions { Insecure = true }));
        Assert.Contains("loopback", ex.Message);
    }

    [Theory]
    [InlineData("alpine", "registry-1.docker.io", "library/alpine", "latest")]
    [InlineData("docker.io/user/app:1.2", "registry-1.docker.io", "user/app", "1.2")]
    [InlineData("127.0.0.1:5000/a/b:t", "127.0.0.1:5000", "a/b", "t")]
    [InlineData("localhost/app", "localhost", "app", "latest")]
    public void References_parse_with_docker_defaults(string text, string host, string repository, string reference)
    {
        Assert.Equal(new RegistryReference(host, repository, reference), RegistryReference.Parse(text));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _stop.Dispose();
    }
}
