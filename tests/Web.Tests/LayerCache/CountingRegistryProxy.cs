using System.Net;
using System.Net.Sockets;

namespace LayerLens.Web.Tests.LayerCache;

/// <summary>
/// A pass-through proxy on loopback in front of a real docker-registry (whose access log the fixture turns off):
/// every request and header goes through unchanged, and each request is recorded as "METHOD path status", so a
/// test counts the layer blobs an analysis downloaded. Nothing is answered by the proxy itself.
/// </summary>
public sealed class CountingRegistryProxy : IDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Proxy-Connection", "Upgrade", "TE", "Trailer",
    };

    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream;
    private readonly Uri _registry;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _requests = [];

    public CountingRegistryProxy(Uri registry)
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

    /// <summary>host:port to name in image references instead of the registry's own.</summary>
    public string Host { get; }

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
            using var request = new HttpRequestMessage(new HttpMethod(incoming.HttpMethod), new Uri(_registry, incoming.RawUrl));
            foreach (var name in incoming.Headers.AllKeys.OfType<string>())
            {
                if (!HopByHop.Contains(name))
                {
                    request.Headers.TryAddWithoutValidation(name, incoming.Headers.GetValues(name) ?? []);
                }
            }
            using var response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
            status = (int)response.StatusCode;
            outgoing.StatusCode = status;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && values.FirstOrDefault() is { } length)
                {
                    outgoing.ContentLength64 = long.Parse(length, System.Globalization.CultureInfo.InvariantCulture);
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
            if (incoming.HttpMethod != "HEAD")
            {
                await response.Content.CopyToAsync(outgoing.OutputStream, _stop.Token);
            }
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

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _upstream.Dispose();
        _stop.Dispose();
    }
}
