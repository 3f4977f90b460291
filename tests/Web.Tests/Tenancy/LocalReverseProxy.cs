using System.Net;
using System.Net.Sockets;

namespace LayerLens.Web.Tests.Tenancy;

/// <summary>
/// A reverse proxy on this machine in front of the app, as the README's TLS-terminating proxy (nginx) would be:
/// it relays each request and appends the address of the client it served to X-Forwarded-For (keeping what the
/// client sent before it, as nginx's $proxy_add_x_forwarded_for does) and sets X-Forwarded-Proto. Everything here
/// runs on loopback, so the client's address is given (<paramref name="clientAddress"/>), standing for a remote
/// client where the test needs one.
/// </summary>
public sealed class LocalReverseProxy : IDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Proxy-Connection", "Upgrade", "TE", "Trailer",
    };

    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream;
    private readonly Uri _app;
    private readonly string _clientAddress;
    private readonly CancellationTokenSource _stop = new();

    public LocalReverseProxy(Uri app, string clientAddress)
    {
        _app = app;
        _clientAddress = clientAddress;
        _upstream = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false });
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseAddress.ToString());
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public Uri BaseAddress { get; }

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
            using var request = new HttpRequestMessage(new HttpMethod(incoming.HttpMethod), new Uri(_app, incoming.RawUrl));
            if (incoming.HasEntityBody)
            {
                request.Content = new StreamContent(incoming.InputStream);
            }
            foreach (var name in incoming.Headers.AllKeys.OfType<string>())
            {
                if (HopByHop.Contains(name) || name.Equals("X-Forwarded-For", StringComparison.OrdinalIgnoreCase) || name.Equals("X-Forwarded-Proto", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                var values = incoming.Headers.GetValues(name) ?? [];
                if (!request.Headers.TryAddWithoutValidation(name, values))
                {
                    request.Content?.Headers.TryAddWithoutValidation(name, values);
                }
            }
            var sent = incoming.Headers["X-Forwarded-For"];
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", string.IsNullOrEmpty(sent) ? _clientAddress : sent + ", " + _clientAddress);
            request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");

            using var response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
            outgoing.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (HopByHop.Contains(name) || name.Equals("WWW-Authenticate", StringComparison.OrdinalIgnoreCase))
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
            await response.Content.CopyToAsync(outgoing.OutputStream, _stop.Token);
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
