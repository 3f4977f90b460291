using System.Net;
using System.Text.RegularExpressions;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Saas;

/// <summary>
/// A browser-like client without a browser: a cookie jar, no API key, form posts with the antiforgery token the
/// pages render. Redirects are not followed so tests see where a form sends the user.
/// </summary>
public sealed partial class CookieSession : IDisposable
{
    private readonly HttpClient _http;

    public CookieSession(WebAppProcess app)
        : this(app.BaseAddress)
    {
    }

    /// <summary>A session against another address of the app (a reverse proxy in front of it).</summary>
    public CookieSession(Uri baseAddress)
    {
        Cookies = new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public CookieContainer Cookies { get; }

    public HttpClient Http => _http;

    public static async Task<CookieSession> SignInAsync(WebAppProcess app, string email, string password)
    {
        var session = new CookieSession(app);
        using var response = await session.PostFormAsync("/account/signin", "/account/signin", new() { ["email"] = email, ["password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        return session;
    }

    /// <summary>Loads <paramref name="page"/> for its form token, then posts the form to <paramref name="action"/>.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string page, string action, Dictionary<string, string> fields)
    {
        var html = await GetPageAsync(page);
        var token = FormToken().Match(html);
        Assert.True(token.Success, $"no antiforgery field on {page}");
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        using var content = new FormUrlEncodedContent(fields);
        return await _http.PostAsync(new Uri(action, UriKind.Relative), content);
    }

    public async Task<string> GetPageAsync(string path)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The token scripts send with API calls (the pages' meta tag).</summary>
    public async Task<string> ApiTokenAsync()
    {
        var match = MetaToken().Match(await GetPageAsync("/"));
        Assert.True(match.Success, "no antiforgery meta tag on the page");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>The session's client with the API token header set, as upload.js sends it.</summary>
    public async Task<HttpClient> ApiClientAsync()
    {
        var token = await ApiTokenAsync();
        _http.DefaultRequestHeaders.Remove(TokenHeader);
        _http.DefaultRequestHeaders.Add(TokenHeader, token);
        return _http;
    }

    public const string TokenHeader = "X-LayerLens-Antiforgery";

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [GeneratedRegex("<meta name=\"layerlens-antiforgery\" content=\"([^\"]+)\"")]
    private static partial Regex MetaToken();

    public void Dispose() => _http.Dispose();
}
