using System.Net;
using System.Net.Sockets;
using LayerLens.Analyzer.Images.Registry;
using LayerLens.TestInfrastructure.Processes;
using LayerLens.Web.Security;

namespace LayerLens.Web.Tests.Security;

/// <summary>
/// Ways around the SSRF guard an attacker tries with a webhook URL or a registry reference: other spellings of
/// internal addresses, a name that resolves to a public address when checked and to an internal one when connected
/// (DNS rebinding), and a redirect from an allowed target to an internal one. Name resolution is a table (this machine
/// has no public DNS); every connection the guard allows goes to a real listener on 127.0.0.1.
/// </summary>
public sealed class NetworkTargetGuardBypassTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly int _port = FreePort.Next();
    private int _requests;
    private readonly Task _loop;

    public NetworkTargetGuardBypassTests()
    {
        _listener.Prefixes.Add($"http://+:{_port}/");
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
                Interlocked.Increment(ref _requests);
                // Every request is redirected to this machine's loopback, spelt as a decimal number.
                context.Response.StatusCode = 307;
                context.Response.Headers["Location"] = $"http://2130706433:{_port}/v2/app/manifests/v1";
                context.Response.Close();
            }
        });
    }

    /// <summary>Resolves every name to a public address, as an attacker's DNS would at check time.</summary>
    private static NetworkTargetGuard PublicDns() =>
        new(false, (_, _) => Task.FromResult(new[] { IPAddress.Parse("93.184.216.34") }));

    [Theory]
    [InlineData("http://2130706433/hook")] // 127.0.0.1 as one decimal number
    [InlineData("http://0177.0.0.1/hook")] // octal
    [InlineData("http://0x7f.0.0.1/hook")] // hexadecimal
    [InlineData("http://0x7f000001/hook")]
    [InlineData("http://127.1/hook")] // short form
    [InlineData("http://017700000001/hook")]
    [InlineData("http://localhost./hook")] // trailing dot
    [InlineData("http://LOCALHOST./hook")]
    [InlineData("http://api.localhost./hook")]
    [InlineData("http://0.0.0.0/hook")]
    [InlineData("http://0/hook")]
    [InlineData("http://[::]/hook")]
    [InlineData("http://[::ffff:7f00:1]/hook")] // IPv4-mapped, hex groups
    [InlineData("http://[0:0:0:0:0:ffff:127.0.0.1]/hook")]
    [InlineData("http://[::ffff:a9fe:a9fe]/latest/meta-data")] // 169.254.169.254 mapped
    [InlineData("http://169.254.169.254./latest/meta-data")]
    [InlineData("http://2852039166/latest/meta-data")] // 169.254.169.254 decimal
    public async Task Other_spellings_of_internal_addresses_are_refused_without_asking_dns(string url)
    {
        var refused = await Assert.ThrowsAsync<TargetRefusedException>(() => PublicDns().CheckUrlAsync(url, CancellationToken.None));
        Assert.Contains("non-public", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_rebound_to_loopback_after_the_check_is_refused_at_connect_time()
    {
        var calls = 0;
        // First answer public (the check when the webhook is saved), then this machine (the delivery's connect).
        var guard = new NetworkTargetGuard(false, (_, _) =>
            Task.FromResult(new[] { Interlocked.Increment(ref calls) == 1 ? IPAddress.Parse("93.184.216.34") : IPAddress.Loopback }));
        var url = $"http://rebind.example:{_port}/hook";
        await guard.CheckUrlAsync(url, CancellationToken.None);

        using var handler = guard.CreateHandler(TimeSpan.FromSeconds(5));
        using var http = new HttpClient(handler);
        var failed = await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync(new Uri(url), new StringContent("{}")));

        Assert.IsType<TargetRefusedException>(failed.InnerException);
        Assert.Equal(0, _requests);
    }

    [Fact]
    public async Task A_registry_redirect_to_an_internal_address_is_refused_at_the_hop()
    {
        var guard = PublicDns();
        var handler = guard.CreateHandler(TimeSpan.FromSeconds(5));
        var checkedConnect = handler.ConnectCallback!;
        // The first hop stands for a public registry (no public address can be served here): it connects to the local
        // listener directly. Every other connection — the redirect's — goes through the guard's own callback.
        handler.ConnectCallback = async (context, ct) =>
        {
            if (context.DnsEndPoint.Host != "registry.example")
            {
                return await checkedConnect(context, ct);
            }
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, _port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        };
        var options = new RegistryOptions
        {
            PlainHttpHosts = [$"registry.example:{_port}", $"2130706433:{_port}", $"127.0.0.1:{_port}"],
            MaxRetries = 0,
            Timeout = TimeSpan.FromSeconds(5),
        };
        using var client = new RegistryClient(RegistryReference.Parse($"registry.example:{_port}/app:v1"), options, handler);

        var failed = await Assert.ThrowsAnyAsync<Exception>(() => client.GetManifestAsync("v1", 1 << 20, CancellationToken.None));

        Assert.True(Chain(failed).Any(e => e is TargetRefusedException), failed.ToString());
        Assert.Equal(1, _requests); // the registry was asked; the internal address the redirect named never was
    }

    private static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    public void Dispose()
    {
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
