using System.Net;
using System.Net.Sockets;
using LayerLens.Web.Configuration;

namespace LayerLens.Web.Security;

/// <summary>
/// The one server-side request forgery guard: webhook URLs and registry references are resolved and
/// refused when any address is private, loopback, link-local, metadata, unique-local, CGNAT, multicast
/// or unspecified (IPv4 embedded in IPv6 included), unless <c>LayerLens:Security:AllowPrivateNetworkTargets</c>.
/// <see cref="CreateHandler"/> checks again at connect time, so a name that re-resolves elsewhere
/// (DNS rebinding) or a redirect to an internal host is refused too.
/// </summary>
public sealed class NetworkTargetGuard
{
    private static readonly IPNetwork[] ForbiddenV4 =
    [
        IPNetwork.Parse("0.0.0.0/8"), // "this network", unspecified
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"), // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), // link-local, cloud metadata 169.254.169.254
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.0.0.0/24"), // IETF protocol assignments (incl. Oracle metadata 192.0.0.192)
        IPNetwork.Parse("192.0.2.0/24"),
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"), // benchmarking
        IPNetwork.Parse("198.51.100.0/24"),
        IPNetwork.Parse("203.0.113.0/24"),
        IPNetwork.Parse("224.0.0.0/4"), // multicast
        IPNetwork.Parse("240.0.0.0/4"), // reserved and broadcast
    ];

    private static readonly IPNetwork[] ForbiddenV6 =
    [
        IPNetwork.Parse("::/128"),
        IPNetwork.Parse("::1/128"),
        IPNetwork.Parse("100::/64"), // discard
        IPNetwork.Parse("2001:db8::/32"), // documentation
        IPNetwork.Parse("fc00::/7"), // unique-local (AWS metadata fd00:ec2::254 is in here)
        IPNetwork.Parse("fe80::/10"), // link-local
        IPNetwork.Parse("fec0::/10"), // site-local (deprecated)
        IPNetwork.Parse("ff00::/8"), // multicast
    ];

    // Names that reach metadata services without looking like an address.
    private static readonly string[] ForbiddenNames = ["localhost", "metadata", "metadata.google.internal", "instance-data"];

    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    public NetworkTargetGuard(ResolvedSettings settings)
        : this(settings.AllowPrivateNetworkTargets, Dns.GetHostAddressesAsync)
    {
    }

    /// <summary>For tests: a resolver that answers without the network.</summary>
    public NetworkTargetGuard(bool allowPrivateNetworkTargets, Func<string, CancellationToken, Task<IPAddress[]>> resolve)
    {
        AllowPrivateNetworkTargets = allowPrivateNetworkTargets;
        _resolve = resolve;
    }

    public bool AllowPrivateNetworkTargets { get; }

    /// <summary>True for every address a user-supplied target must not reach.</summary>
    public static bool IsForbidden(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return ForbiddenV4.Any(n => n.Contains(address));
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return true;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return IsForbidden(address.MapToIPv4());
        }
        var bytes = address.GetAddressBytes();
        // IPv4 inside IPv6: compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002:aabb:ccdd::/48).
        if (bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0
            || bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b && bytes.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
        {
            return IsForbidden(new IPAddress(bytes.AsSpan(12, 4)));
        }
        if (bytes[0] == 0x20 && bytes[1] == 0x02)
        {
            return IsForbidden(new IPAddress(bytes.AsSpan(2, 4)));
        }
        return address.ScopeId != 0 || ForbiddenV6.Any(n => n.Contains(address));
    }

    /// <summary>Resolves <paramref name="host"/> (a name or literal, with or without :port) and refuses forbidden targets.</summary>
    public async Task<IPAddress[]> CheckHostAsync(string host, CancellationToken cancellationToken)
    {
        var name = HostName(host);
        if (name.Length == 0)
        {
            throw new TargetRefusedException("the target names no host");
        }
        if (AllowPrivateNetworkTargets)
        {
            return [];
        }
        if (ForbiddenNames.Contains(name.TrimEnd('.'), StringComparer.OrdinalIgnoreCase)
            || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".internal", StringComparison.OrdinalIgnoreCase))
        {
            throw Refused(name, name);
        }
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(name, out var literal) ? [literal] : await _resolve(name, cancellationToken);
        }
        catch (SocketException)
        {
            throw new TargetRefusedException($"the host '{name}' does not resolve");
        }
        if (addresses.Length == 0)
        {
            throw new TargetRefusedException($"the host '{name}' does not resolve");
        }
        if (addresses.FirstOrDefault(IsForbidden) is { } bad)
        {
            throw Refused(name, bad.ToString());
        }
        return addresses;
    }

    /// <summary>A webhook target: absolute http(s) URL without user info, whose host passes <see cref="CheckHostAsync"/>.</summary>
    public async Task<Uri> CheckUrlAsync(string? url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new TargetRefusedException($"'{url}' is not an absolute http or https URL");
        }
        if (uri.UserInfo.Length > 0)
        {
            throw new TargetRefusedException("the URL must not carry credentials; use the webhook secret to authenticate deliveries");
        }
        await CheckHostAsync(uri.Host, cancellationToken);
        return uri;
    }

    /// <summary>An HTTP handler that resolves and checks every connection it opens (redirects and rebinding included).</summary>
    public SocketsHttpHandler CreateHandler(TimeSpan connectTimeout) => new()
    {
        AllowAutoRedirect = false,
        ConnectTimeout = connectTimeout,
        ConnectCallback = async (context, ct) =>
        {
            var endpoint = context.DnsEndPoint;
            var addresses = AllowPrivateNetworkTargets
                ? (IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await _resolve(endpoint.Host, ct))
                : await CheckHostAsync(endpoint.Host, ct);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, endpoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    private static string HostName(string host)
    {
        host = host.Trim();
        if (host.StartsWith('['))
        {
            var end = host.IndexOf(']', StringComparison.Ordinal);
            return end < 0 ? host[1..] : host[1..end];
        }
        // A bare IPv6 literal has several colons; host:port has one.
        return host.Count(c => c == ':') == 1 ? host[..host.IndexOf(':', StringComparison.Ordinal)] : host;
    }

    private static TargetRefusedException Refused(string name, string address) => new(
        $"the host '{name}' resolves to {address}, a private, loopback, link-local or metadata address; "
        + "set LayerLens:Security:AllowPrivateNetworkTargets to allow it");
}

/// <summary>A user-supplied network target the guard refuses; the message says why.</summary>
public sealed class TargetRefusedException(string message) : Exception(message);
