using System.Net;
using System.Net.Sockets;

namespace LayerLens.Web.Tests.Storage;

/// <summary>
/// A registry that lies, as a compromised store or a proxy in its path would: a loopback proxy in front of a real
/// docker-registry that relays HEAD and GET (the read path) with every header unchanged, but flips one byte of every
/// blob body it relays (same length). Manifests pass untouched, so only the digest check on read can catch it.
/// Writes are not relayed: the tests write through the registry itself.
/// </summary>
public sealed class TamperingRegistryProxy : IDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Proxy-Connection", "Upgrade", "TE", "Trailer",
    };

    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream;
    private readonly Uri _registry;
    private readonly CancellationTokenSource _stop = new();
    private int _tampered;

    public TamperingRegistryProxy(Uri registry)
    {
        _registry = registry;
        _upstream = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false });
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Host = $"127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}";
        }
        _listener.Prefixes.Add($"http://{Host}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public string Host { get; }

    /// <summary>How many blob bodies were sent altered.</summary>
    public int Tampered => Volatile.Read(ref _tampered);

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
        try
        {
            if (incoming.HttpMethod is not ("GET" or "HEAD"))
            {
                outgoing.StatusCode = 405;
                return;
            }
            using var request = new HttpRequestMessage(new HttpMethod(incoming.HttpMethod), new Uri(_registry, incoming.RawUrl));
            foreach (var name in incoming.Headers.AllKeys.OfType<string>().Where(n => !HopByHop.Contains(n)))
            {
                request.Headers.TryAddWithoutValidation(name, incoming.Headers.GetValues(name) ?? []);
            }
            using var response = await _upstream.SendAsync(request, _stop.Token);
            outgoing.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    outgoing.ContentType = values.First();
                }
                else if (!HopByHop.Contains(name))
                {
                    foreach (var value in values)
                    {
                        outgoing.AppendHeader(name, value);
                    }
                }
            }
            var body = await response.Content.ReadAsByteArrayAsync(_stop.Token);
            if (incoming.HttpMethod == "HEAD")
            {
                outgoing.ContentLength64 = response.Content.Headers.ContentLength ?? 0;
                return;
            }
            if (incoming.Url!.AbsolutePath.Contains("/blobs/", StringComparison.Ordinal) && response.IsSuccessStatusCode && body.Length > 0)
            {
                body[body.Length / 2] ^= 0x20;
                Interlocked.Increment(ref _tampered);
            }
            outgoing.ContentLength64 = body.Length;
            await outgoing.OutputStream.WriteAsync(body, _stop.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or HttpListenerException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            try { outgoing.StatusCode = 502; } catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException) { }
        }
        finally
        {
            try { outgoing.Close(); } catch (HttpListenerException) { } catch (ObjectDisposedException) { }
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
