using System.Net;
using LayerLens.Web.Security;

namespace LayerLens.Web.Tests.Security;

[CollectionDefinition(nameof(AmbientProxyCollection), DisableParallelization = true)]
public sealed class AmbientProxyCollection;

/// <summary>
/// With an ambient proxy configured (what HTTP_PROXY/HTTPS_PROXY set; here set in-process through
/// <see cref="HttpClient.DefaultProxy"/>, which the environment variables only initialise once per process),
/// the guarded handler must judge the target, not the proxy. Runs alone: the default proxy is process-wide.
/// </summary>
[Collection(nameof(AmbientProxyCollection))]
public sealed class NetworkTargetGuardProxyTests
{
    [Theory]
    [InlineData("http://internal.example.com/latest/meta-data")]
    [InlineData("https://internal.example.com/v2/")]
    public async Task With_an_ambient_proxy_the_target_itself_is_checked_and_refused(string url)
    {
        var asked = new List<string>();
        // The proxy resolves to a public address; the target to the metadata service.
        var guard = new NetworkTargetGuard(false, (name, _) =>
        {
            lock (asked)
            {
                asked.Add(name);
            }
            return Task.FromResult(new[] { IPAddress.Parse(name.StartsWith("proxy", StringComparison.Ordinal) ? "93.184.216.34" : "169.254.169.254") });
        });
        var previous = HttpClient.DefaultProxy;
        HttpClient.DefaultProxy = new WebProxy("http://proxy.example.net:3128");
        try
        {
            using var handler = guard.CreateHandler(TimeSpan.FromSeconds(2));
            using var client = new HttpClient(handler);
            var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(url)));
            var refused = Assert.IsType<TargetRefusedException>(failure.InnerException);
            Assert.Contains("'internal.example.com'", refused.Message, StringComparison.Ordinal);
            Assert.Equal(["internal.example.com"], asked);
        }
        finally
        {
            HttpClient.DefaultProxy = previous;
        }
    }
}
