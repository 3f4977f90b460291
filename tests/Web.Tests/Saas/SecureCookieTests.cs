using System.Net;
using System.Text.RegularExpressions;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Saas;

/// <summary>
/// LayerLens:Security:RequireHttpsCookies marks the sign-in and antiforgery cookies Secure; requests a TLS proxy on
/// this machine forwards (X-Forwarded-Proto: https) count as HTTPS.
/// </summary>
public sealed partial class SecureCookieTests
{
    private static IEnumerable<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [];

    private static bool IsSecure(string setCookie) => setCookie.Split(';').Any(p => p.Trim().Equals("secure", StringComparison.OrdinalIgnoreCase));

    [Fact]
    public async Task With_require_https_cookies_the_sign_in_and_antiforgery_cookies_are_secure()
    {
        await using var app = await WebAppProcess.StartAsync(new Dictionary<string, string>
        {
            ["LayerLens__Security__RequireHttpsCookies"] = "true",
        });
        // The client keeps no cookies itself: a Secure cookie would not be sent back over HTTP.
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        using var page = await http.GetAsync(new Uri("account/signin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var antiforgery = Assert.Single(SetCookies(page), c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        Assert.True(IsSecure(antiforgery), antiforgery);

        var token = FormToken().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        using var post = new HttpRequestMessage(HttpMethod.Post, new Uri("account/signin", UriKind.Relative))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["email"] = WebAppProcess.AdminEmail,
                ["password"] = WebAppProcess.AdminPassword,
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            }),
        };
        post.Headers.Add("Cookie", antiforgery.Split(';')[0]);
        using var signedIn = await http.SendAsync(post);
        Assert.True(signedIn.StatusCode == HttpStatusCode.Redirect, $"{signedIn.StatusCode} {signedIn.Headers.Location} {string.Join(" | ", SetCookies(signedIn))}");
        var auth = Assert.Single(SetCookies(signedIn), c => c.StartsWith("LayerLens.Auth=", StringComparison.Ordinal));
        Assert.True(IsSecure(auth), auth);
        Assert.Contains("httponly", auth, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task With_require_https_cookies_a_plain_http_page_request_is_refused_or_redirected_never_a_500()
    {
        await using var app = await WebAppProcess.StartAsync(new Dictionary<string, string>
        {
            ["LayerLens__Security__RequireHttpsCookies"] = "true",
        });
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = app.BaseAddress };

        // Straight to the app over HTTP: a clear refusal that says HTTPS is required.
        using var direct = await http.GetAsync(new Uri("account/signin?returnUrl=%2F", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, direct.StatusCode);
        Assert.Contains("HTTPS is required", await direct.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Through the TLS proxy on this machine, which says the browser used plain HTTP: sent to the HTTPS address.
        using var viaProxy = new HttpRequestMessage(HttpMethod.Get, new Uri("account/signin?returnUrl=%2F", UriKind.Relative));
        viaProxy.Headers.Add("X-Forwarded-Proto", "http");
        viaProxy.Headers.Host = "layerlens.example";
        using var redirected = await http.SendAsync(viaProxy);
        Assert.Equal(HttpStatusCode.PermanentRedirect, redirected.StatusCode);
        Assert.Equal(new Uri("https://layerlens.example/account/signin?returnUrl=%2F"), redirected.Headers.Location);

        // The health probe and API clients with keys keep working on the internal HTTP address.
        using var health = await http.GetAsync(new Uri("healthz", UriKind.Relative));
        Assert.NotEqual(HttpStatusCode.InternalServerError, health.StatusCode);
        Assert.NotEqual(HttpStatusCode.BadRequest, health.StatusCode);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();
}
