using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Web.Tests.Tenancy;

/// <summary>
/// A registry (distribution API v2, plain HTTP on loopback) the test controls: it serves the manifests and blobs
/// it is given, can answer HEAD 200 for every digest (as an attacker's registry would), and can hold a blob's
/// download until the test releases it, so an analysis stays running as long as the test needs.
/// </summary>
public sealed partial class StubRegistry : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, (byte[] Body, string MediaType)> _manifests = [];
    private readonly Dictionary<string, byte[]> _blobs = [];
    private readonly List<string> _requests = [];

    public StubRegistry()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Host => $"127.0.0.1:{Port}";

    /// <summary>Answer HEAD of any blob with 200, whether it has it or not: "yes, you may read that".</summary>
    public bool AnswerEveryHead { get; set; }

    /// <summary>
    /// Blobs whose GET answers 404 (a private repository that does not grant this client the download), while
    /// HEAD still answers as <see cref="AnswerEveryHead"/> says.
    /// </summary>
    public HashSet<string> RefusedDownloads { get; } = [];

    /// <summary>A blob whose GET waits for <see cref="Release"/> before answering.</summary>
    public string? HeldBlob { get; set; }

    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once a download of <see cref="HeldBlob"/> is being held.</summary>
    public Task Holding => _holding.Task;

    public void Release() => _released.TrySetResult();

    /// <summary>"METHOD path" of every request, in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public void AddManifest(string repository, string reference, byte[] body, string mediaType = "application/vnd.oci.image.manifest.v1+json")
    {
        lock (_manifests)
        {
            _manifests[repository + ":" + reference] = (body, mediaType);
        }
    }

    /// <summary>
    /// Serves under repository:reference an OCI manifest naming <paramref name="image"/>'s config (served here too) and
    /// a gzip layer of <paramref name="layerSize"/> bytes this registry does not hold: another registry's layer,
    /// named with its right digest and diff_id, as a hostile registry would.
    /// </summary>
    public void AddManifestNamingLayer(string repository, string reference, SyntheticImage image, string layerDigest, long layerSize)
    {
        var config = image.ConfigJson();
        var configDigest = SyntheticImage.Sha256(config);
        AddBlobs(new Dictionary<string, byte[]> { [configDigest] = config });
        AddManifest(repository, reference, JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = configDigest, ["size"] = config.Length },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip", ["digest"] = layerDigest, ["size"] = layerSize }),
        }));
    }

    public void AddBlobs(IReadOnlyDictionary<string, byte[]> blobs)
    {
        lock (_blobs)
        {
            foreach (var (digest, body) in blobs)
            {
                _blobs[digest] = body;
            }
        }
    }

    [GeneratedRegex("^/v2/(?<repo>.+)/(?<kind>manifests|blobs)/(?<ref>[^/]+)$")]
    private static partial Regex Route();

    private async Task ServeAsync()
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
            catch (HttpListenerException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    await AnswerAsync(context);
                }
                catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException)
                {
                    // The client gave up (a cancelled analysis); nothing to answer.
                }
                finally
                {
                    try { context.Response.Close(); } catch (ObjectDisposedException) { } catch (HttpListenerException) { }
                }
            });
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var path = request.Url!.AbsolutePath;
        lock (_requests)
        {
            _requests.Add(request.HttpMethod + " " + path);
        }
        var response = context.Response;
        if (path is "/v2/" or "/v2")
        {
            response.StatusCode = 200;
            return;
        }
        var match = Route().Match(path);
        if (!match.Success)
        {
            response.StatusCode = 404;
            return;
        }
        var repo = match.Groups["repo"].Value;
        var reference = match.Groups["ref"].Value;
        byte[]? body;
        if (match.Groups["kind"].Value == "manifests")
        {
            (byte[] Body, string MediaType) manifest;
            bool found;
            lock (_manifests)
            {
                found = _manifests.TryGetValue(repo + ":" + reference, out manifest);
            }
            if (!found)
            {
                response.StatusCode = 404;
                return;
            }
            response.ContentType = manifest.MediaType;
            body = manifest.Body;
        }
        else
        {
            lock (_blobs)
            {
                body = _blobs.GetValueOrDefault(reference);
            }
            if (request.HttpMethod == "HEAD")
            {
                response.StatusCode = body is not null || AnswerEveryHead ? 200 : 404;
                return;
            }
            bool refused;
            lock (RefusedDownloads)
            {
                refused = RefusedDownloads.Contains(reference);
            }
            if (body is null || refused)
            {
                response.StatusCode = 404;
                return;
            }
            if (reference == HeldBlob)
            {
                _holding.TrySetResult();
                await _released.Task.WaitAsync(_stop.Token);
            }
        }
        response.StatusCode = 200;
        response.ContentLength64 = body.Length;
        if (request.HttpMethod != "HEAD")
        {
            await response.OutputStream.WriteAsync(body, _stop.Token);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _released.TrySetResult();
        _listener.Close();
        _stop.Dispose();
    }
}
