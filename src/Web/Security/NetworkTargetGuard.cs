using System.Net;
using System.Net.Sockets;
using LayerLens.Web.Configuration;

namespace LayerLens.Web.Security;

/// <summary>
/// The one server-side request forgery guard: webhook URLs and registry references are resolved and
/// refused when any address is not public — IANA's special-purpose blocks: private, loopback, link-local,
/// metadata, unique-local, CGNAT, documentation, benchmarking, reserved, multicast, unspecified, and IPv4
/// embedded in IPv6 judged as that IPv4 — unless <c>LayerLens:Security:AllowPrivateNetworkTargets</c>.
/// Refusals name the host the user gave, never the address a name resolved to.
/// <see cref="CreateHandler"/> checks again at connect time, so a name that re-resolves elsewhere
/// (DNS rebinding) or a redirect to an internal host is refused too.
/// </summary>
public sealed class NetworkTargetGuard
{
    // IANA IPv4 special-purpose registry: every block not globally reachable, plus multicast and the
    // deprecated 6to4 relay anycast (RFC 7526). The globally reachable AS112/AMT blocks are left alone.
    private static readonly IPNetwork[] ForbiddenV4 =
    [
        IPNetwork.Parse("0.0.0.0/8"), // "this network", unspecified
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"), // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), // link-local, cloud metadata 169.254.169.254
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.0.0.0/24"), // IETF protocol assignments (incl. Oracle metadata 192.0.0.192)
        IPNetwork.Parse("192.0.2.0/24"), // documentation
        IPNetwork.Parse("192.88.99.0/24"), // 6to4 relay anycast (deprecated)
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"), // benchmarking
        IPNetwork.Parse("198.51.100.0/24"), // documentation
        IPNetwork.Parse("203.0.113.0/24"), // documentation
        IPNetwork.Parse("224.0.0.0/4"), // multicast
        IPNetwork.Parse("240.0.0.0/4"), // reserved, and 255.255.255.255 broadcast
    ];

    // IPv6 is allowed only inside global unicast 2000::/3 (so ::/128, ::1, 100::/64 discard, 100:0:0:1::/64
    // dummy, 5f00::/16 SRv6, fc00::/7, fe80::/10, fec0::/10 and ff00::/8 all fall outside), and not in these
    // special-purpose blocks of it. Prefixes that embed an IPv4 address are judged by that address first.
    private static readonly IPNetwork GlobalUnicastV6 = IPNetwork.Parse("2000::/3");

    private static readonly IPNetwork[] ForbiddenV6 =
    [
        IPNetwork.Parse("2001::/23"), // IETF protocol assignments: Teredo 2001::/32, benchmarking, ORCHID, AMT…
        IPNetwork.Parse("2001:db8::/32"), // documentation
        IPNetwork.Parse("3fff::/20"), // documentation (RFC 9637)
    ];

    private static readonly IPNetwork Nat64WellKnown = IPNetwork.Parse("64:ff9b::/96"); // embeds IPv4 (RFC 6052)
    private static readonly IPNetwork Nat64LocalUse = IPNetwork.Parse("64:ff9b:1::/48"); // the site's own translator (RFC 8215)
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16"); // embeds IPv4 in bits 16-47
    private static readonly IPNetwork IPv4Translated = IPNetwork.Parse("::ffff:0:0:0/96"); // SIIT, embeds IPv4 (RFC 2765)
    private static readonly IPNetwork IPv4Compatible = IPNetwork.Parse("::/96"); // deprecated (RFC 4291)

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
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || address.ScopeId != 0)
        {
            return true;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return IsForbidden(address.MapToIPv4());
        }
        var bytes = address.GetAddressBytes();
        if (Nat64WellKnown.Contains(address) || IPv4Translated.Contains(address))
        {
            return IsForbidden(new IPAddress(bytes.AsSpan(12, 4)));
        }
        if (SixToFour.Contains(address))
        {
            return IsForbidden(new IPAddress(bytes.AsSpan(2, 4)));
        }
        // Local-use NAT64 and IPv4-compatible (:: and ::1 included) reach whatever the site maps them to.
        if (Nat64LocalUse.Contains(address) || IPv4Compatible.Contains(address))
        {
            return true;
        }
        return !GlobalUnicastV6.Contains(address) || ForbiddenV6.Any(n => n.Contains(address));
    }

    /// <summary>Resolves <paramref name="host"/> (a name or literal, with or without :port) and refuses forbidden targets.</summary>
    public async Task<IPAddress[]> CheckHostAsync(string host, CancellationToken cancellationToken)
    {
        // A fully qualified name's trailing dot ("localhost.", "169.254.169.254.") is the same target: judge it without.
        var name = HostName(host).TrimEnd('.');
        if (name.Length == 0)
        {
            throw new TargetRefusedException("the target names no host");
        }
        if (AllowPrivateNetworkTargets)
        {
            return [];
        }
        if (ForbiddenNames.Contains(name, StringComparer.OrdinalIgnoreCase)
            || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".internal", StringComparison.OrdinalIgnoreCase))
        {
            throw Refused(name);
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
        if (addresses.Any(IsForbidden))
        {
            // The address itself is not told: an error message must not map the internal network.
            throw Refused(name);
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

    /// <summary>
    /// An HTTP handler that resolves and checks every connection it opens (redirects and rebinding included).
    /// It ignores ambient proxies (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY): through a proxy the connection would go to
    /// the proxy, which resolves and reaches the target itself, so the check would judge the proxy instead of the
    /// target. Registry pulls and webhook deliveries connect directly, to an address this guard has checked.
    /// </summary>
    public SocketsHttpHandler CreateHandler(TimeSpan connectTimeout) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
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

    /// <summary>Names only what the user gave: a literal address is theirs, what a name resolves to is not told.</summary>
    private static TargetRefusedException Refused(string name) => new(
        (IPAddress.TryParse(name, out _) ? $"'{name}' is" : $"the host '{name}' resolves to")
        + " a non-public address (private, loopback, link-local, metadata or reserved); "
        + "set LayerLens:Security:AllowPrivateNetworkTargets to allow it");
}

/// <summary>A user-supplied network target the guard refuses; the message says why.</summary>
public sealed class TargetRefusedException(string message) : Exception(message);
