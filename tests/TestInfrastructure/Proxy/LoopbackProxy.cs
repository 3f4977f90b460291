using System.Globalization;
using System.Net;
using LayerLens.TestInfrastructure.Processes;

namespace LayerLens.TestInfrastructure.Proxy;

/// <summary>
/// A relaying HTTP proxy on 127.0.0.1 in front of a real server (the app, a docker-registry): request and response,
/// headers and bodies go through unchanged but for hop-by-hop headers, and each request is recorded as
/// "METHOD path status", so a test can count what went upstream. Nothing is answered by the proxy itself but a 502
/// when the upstream cannot be reached.
/// </summary>
public sealed class LoopbackProxy : IDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Proxy-Connection", "Upgrade", "TE", "Trailer",
    };

    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream;
    private readonly Uri _target;
    private readonly string? _clientAddress;
    private readonly bool _tamper;
    private int _tampered;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _requests = [];

    private LoopbackProxy(Uri target, string? clientAddress, bool tamper = false)
    {
        _target = target;
        _clientAddress = clientAddress;
        _tamper = tamper;
        _upstream = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false });
        Host = $"127.0.0.1:{FreePort.Next()}";
        BaseAddress = new Uri($"http://{Host}/");
        _listener.Prefixes.Add(BaseAddress.ToString());
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    /// <summary>Relays every request and header as it comes (a test counting a registry's downloads).</summary>
    public static LoopbackProxy PassThrough(Uri target) => new(target, null);

    /// <summary>
    /// As the README's TLS-terminating proxy (nginx) in front of the app: appends the address of the client it
    /// served to X-Forwarded-For (keeping what the client sent, as nginx's $proxy_add_x_forwarded_for does) and sets
    /// X-Forwarded-Proto https. Everything runs on loopback, so the client's address is given, standing for a
    /// remote client where the test needs one.
    /// </summary>
    public static LoopbackProxy Forwarding(Uri app, string clientAddress) => new(app, clientAddress);

    /// <summary>
    /// A registry that lies, as a compromised store or a proxy in its path would: relays HEAD and GET (the read path;
    /// writes get 405, tests write through the registry itself) with every header unchanged, but flips one byte of
    /// every blob body it relays (same length). Manifests pass untouched, so only a digest check on read catches it.
    /// </summary>
    public static LoopbackProxy Tampering(Uri registry) => new(registry, null, tamper: true);

    /// <summary>How many blob bodies a <see cref="Tampering"/> proxy sent altered.</summary>
    public int Tampered => Volatile.Read(ref _tampered);

    /// <summary>host:port to name in image references instead of the registry's own.</summary>
    public string Host { get; }

    public Uri BaseAddress { get; }

    /// <summary>"METHOD path status" of every request so far, in order.</summary>
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

    /// <summary>How many GETs of <paramref name="digest"/> (in any repository) the registry answered so far, whatever the status.</summary>
    public int Downloads(string digest) => Requests.Count(r => r.StartsWith("GET ", StringComparison.Ordinal) && r.Contains("/blobs/" + digest + " ", StringComparison.Ordinal));

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => RelayAsync(context));
        }
    }

    private async Task RelayAsync(HttpListenerContext context)
    {
        var incoming = context.Request;
        var outgoing = context.Response;
        var status = 502;
        try
        {
            if (_tamper && incoming.HttpMethod is not ("GET" or "HEAD"))
            {
                status = 405;
                outgoing.StatusCode = status;
                return;
            }
            using var request = new HttpRequestMessage(new HttpMethod(incoming.HttpMethod), new Uri(_target, incoming.RawUrl));
            if (incoming.HasEntityBody)
            {
                request.Content = new StreamContent(incoming.InputStream);
            }
            CopyRequestHeaders(incoming, request);
            using var response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
            status = (int)response.StatusCode;
            outgoing.StatusCode = status;
            CopyResponseHeaders(response, outgoing);
            if (incoming.HttpMethod == "HEAD")
            {
                return;
            }
            if (_tamper && incoming.Url!.AbsolutePath.Contains("/blobs/", StringComparison.Ordinal) && response.IsSuccessStatusCode)
            {
                await RelayTamperedAsync(response, outgoing);
                return;
            }
            await response.Content.CopyToAsync(outgoing.OutputStream, _stop.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or HttpListenerException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            try { outgoing.StatusCode = 502; } catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException) { }
        }
        finally
        {
            lock (_requests)
            {
                _requests.Add($"{incoming.HttpMethod} {incoming.Url!.AbsolutePath} {status}");
            }
            try { outgoing.Close(); } catch (HttpListenerException) { } catch (ObjectDisposedException) { }
        }
    }

    private async Task RelayTamperedAsync(HttpResponseMessage response, HttpListenerResponse outgoing)
    {
        var body = await response.Content.ReadAsByteArrayAsync(_stop.Token);
        if (body.Length > 0)
        {
            body[body.Length / 2] ^= 0x20;
            Interlocked.Increment(ref _tampered);
        }
        outgoing.ContentLength64 = body.Length;
        await outgoing.OutputStream.WriteAsync(body, _stop.Token);
    }

    private void CopyRequestHeaders(HttpListenerRequest incoming, HttpRequestMessage request)
    {
        foreach (var name in incoming.Headers.AllKeys.OfType<string>())
        {
            if (HopByHop.Contains(name) || (_clientAddress is not null && IsForwarding(name)))
            {
                continue;
            }
            var values = incoming.Headers.GetValues(name) ?? [];
            if (!request.Headers.TryAddWithoutValidation(name, values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, values);
            }
        }
        if (_clientAddress is not null)
        {
            var sent = incoming.Headers["X-Forwarded-For"];
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", string.IsNullOrEmpty(sent) ? _clientAddress : sent + ", " + _clientAddress);
            request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        }
    }

    private static bool IsForwarding(string header) =>
        header.Equals("X-Forwarded-For", StringComparison.OrdinalIgnoreCase) || header.Equals("X-Forwarded-Proto", StringComparison.OrdinalIgnoreCase);

    private static void CopyResponseHeaders(HttpResponseMessage response, HttpListenerResponse outgoing)
    {
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && values.FirstOrDefault() is { } length)
            {
                outgoing.ContentLength64 = long.Parse(length, CultureInfo.InvariantCulture);
                continue;
            }
            if (HopByHop.Contains(name))
            {
                continue;
            }
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                outgoing.ContentType = values.First();
                continue;
            }
            foreach (var value in values)
            {
                outgoing.AppendHeader(name, value);
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _upstream.Dispose();
        _stop.Dispose();
    }
}
