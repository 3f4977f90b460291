using System.Net;
using LayerLens.Web.Security;

namespace LayerLens.Web.Tests.Security;

/// <summary>The SSRF guard's decisions, checked with a resolver that answers from a table: no traffic is sent anywhere.</summary>
public sealed class NetworkTargetGuardTests
{
    private static NetworkTargetGuard Guard(bool allowPrivate = false, params string[] answers) =>
        new(allowPrivate, (_, _) => Task.FromResult(answers.Select(IPAddress.Parse).ToArray()));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")] // AWS/GCP/Azure metadata
    [InlineData("100.64.0.1")] // CGNAT
    [InlineData("100.127.255.254")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    [InlineData("fd00:ec2::254")] // AWS IPv6 metadata
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")] // IPv4-mapped loopback
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::127.0.0.1")] // IPv4-compatible
    [InlineData("64:ff9b::a9fe:a9fe")] // NAT64 of 169.254.169.254
    [InlineData("2002:7f00:1::1")] // 6to4 of 127.0.0.1
    [InlineData("2002:a00:1::1")] // 6to4 of 10.0.0.1
    [InlineData("2002:a9fe:a9fe::1")] // 6to4 of 169.254.169.254
    [InlineData("64:ff9b::10.0.0.1")] // NAT64 (well-known prefix) of a private address
    [InlineData("64:ff9b:1::1")] // local-use NAT64 (RFC 8215): maps to whatever the site's translator chooses
    [InlineData("64:ff9b:1:ffff::8.8.8.8")]
    [InlineData("::ffff:0:10.0.0.1")] // IPv4-translated (SIIT)
    [InlineData("::8.8.8.8")] // IPv4-compatible: deprecated, never a real target
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")] // Teredo (its client address is obfuscated inside)
    [InlineData("2001:0:a00:1::1")] // Teredo with a private server address
    [InlineData("2001:2::1")] // benchmarking
    [InlineData("2001:10::1")] // ORCHID
    [InlineData("2001:db8::1")] // documentation
    [InlineData("3fff::1")] // documentation (RFC 9637)
    [InlineData("100::1")] // discard
    [InlineData("5f00::1")] // SRv6 SIDs
    [InlineData("fec0::1")] // site-local
    [InlineData("fe80::1%2")] // scoped
    [InlineData("ff05::1")]
    [InlineData("4000::1")] // not global unicast
    [InlineData("0.1.2.3")] // "this network"
    [InlineData("192.0.0.192")] // Oracle metadata, IETF assignments
    [InlineData("192.0.2.1")] // documentation
    [InlineData("198.51.100.1")]
    [InlineData("203.0.113.9")]
    [InlineData("198.18.0.1")] // benchmarking
    [InlineData("198.19.255.255")]
    [InlineData("192.88.99.1")] // 6to4 relay anycast
    [InlineData("240.0.0.1")] // reserved
    [InlineData("239.255.255.250")] // multicast (SSDP)
    public void Private_loopback_link_local_metadata_and_embedded_addresses_are_forbidden(string address) =>
        Assert.True(NetworkTargetGuard.IsForbidden(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")] // just past 172.16/12
    [InlineData("100.128.0.1")] // just past 100.64/10
    [InlineData("169.255.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::8.8.8.8")] // NAT64 of a public address
    [InlineData("2002:808:808::1")] // 6to4 of 8.8.8.8
    [InlineData("2a00:1450:4001::1")]
    [InlineData("192.31.196.1")] // AS112: globally reachable
    public void Public_addresses_are_allowed(string address) =>
        Assert.False(NetworkTargetGuard.IsForbidden(IPAddress.Parse(address)), address);

    [Fact]
    public async Task A_name_that_resolves_to_any_private_address_is_refused_naming_the_host_but_not_the_address()
    {
        var guard = Guard(false, "93.184.216.34", "10.0.0.7");
        var refused = await Assert.ThrowsAsync<TargetRefusedException>(() => guard.CheckHostAsync("registry.example.com:5000", CancellationToken.None));
        Assert.Contains("the host 'registry.example.com' resolves to a non-public address", refused.Message, StringComparison.Ordinal);
        Assert.Contains("AllowPrivateNetworkTargets", refused.Message, StringComparison.Ordinal);
        // The internal address is not told: refusals must not map the internal network for the asker.
        Assert.DoesNotContain("10.0.0.7", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("93.184.216.34", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_connection_handler_refuses_without_telling_the_address_either()
    {
        using var handler = Guard(false, "10.20.30.40").CreateHandler(TimeSpan.FromSeconds(1));
        using var client = new HttpClient(handler);
        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri("http://inside.example.com/")));
        var refused = Assert.IsType<TargetRefusedException>(failure.InnerException);
        Assert.Contains("'inside.example.com'", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("10.20.30.40", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_with_only_public_addresses_passes()
    {
        var addresses = await Guard(false, "93.184.216.34").CheckHostAsync("registry.example.com", CancellationToken.None);
        Assert.Equal([IPAddress.Parse("93.184.216.34")], addresses);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://[::ffff:169.254.169.254]/latest/meta-data")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://metadata.google.internal/computeMetadata/v1/")]
    [InlineData("ftp://example.com/x")]
    [InlineData("http://user:pw@example.com/hook")]
    [InlineData("not a url")]
    public async Task Webhook_urls_to_internal_targets_or_of_other_schemes_are_refused(string url) =>
        await Assert.ThrowsAsync<TargetRefusedException>(() => Guard(false, "93.184.216.34").CheckUrlAsync(url, CancellationToken.None));

    [Fact]
    public async Task A_public_https_url_passes() =>
        Assert.Equal("hooks.example.com", (await Guard(false, "93.184.216.34").CheckUrlAsync("https://hooks.example.com/ci", CancellationToken.None)).Host);

    [Fact]
    public async Task The_setting_allows_loopback_targets() =>
        Assert.Equal(8080, (await Guard(true).CheckUrlAsync("http://127.0.0.1:8080/hook", CancellationToken.None)).Port);

    [Fact]
    public async Task The_connection_handler_refuses_a_name_that_resolves_to_a_private_address_before_any_socket_opens()
    {
        // The resolver says 169.254.169.254; the connect callback must refuse before connecting anywhere.
        using var handler = Guard(false, "169.254.169.254").CreateHandler(TimeSpan.FromSeconds(1));
        using var client = new HttpClient(handler);
        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri("http://rebound.example.com/")));
        Assert.IsType<TargetRefusedException>(failure.InnerException);
    }
}
