using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using LayerLens.TestInfrastructure.Processes;

namespace LayerLens.TestInfrastructure.Registry;

/// <summary>
/// A minimal Docker token service (the <c>auth: token</c> realm) on 127.0.0.1: it checks basic credentials
/// and answers <c>GET /token?service=…&amp;scope=…</c> with an RS256 JWT whose <c>access</c> claim grants the
/// requested scopes. The signing certificate is self-signed; the registry trusts it via rootcertbundle and
/// finds it in the token's <c>x5c</c> header.
/// </summary>
public sealed class TokenService : IDisposable
{
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(10);

    private readonly HttpListener _listener;
    private readonly RSA _key;
    private readonly X509Certificate2 _certificate;
    private readonly string _username;
    private readonly string _password;
    private readonly string _service;
    private readonly string _issuer;
    private readonly Task _loop;
    private int _issued;

    private TokenService(HttpListener listener, int port, string username, string password, string service, string issuer)
    {
        _listener = listener;
        _username = username;
        _password = password;
        _service = service;
        _issuer = issuer;
        Realm = new Uri($"http://127.0.0.1:{port}/token");
        _key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={issuer}", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        CertificatePem = _certificate.ExportCertificatePem();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The URL registries send clients to in their <c>WWW-Authenticate: Bearer realm=…</c> challenge.</summary>
    public Uri Realm { get; }

    /// <summary>The self-signed signing certificate, PEM, for the registry's rootcertbundle.</summary>
    public string CertificatePem { get; }

    /// <summary>How many tokens were handed out, so tests can prove the bearer flow ran.</summary>
    public int IssuedTokens => Volatile.Read(ref _issued);

    public static TokenService Start(string username, string password, string service, string issuer)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new TokenService(listener, port, username, password, service, issuer);
            }
            catch (HttpListenerException) when (attempt < 3)
            {
                listener.Close();
            }
        }
    }

    /// <summary>Issues a token for scopes such as <c>repository:demo:pull</c> without going through HTTP.</summary>
    public string IssueToken(IEnumerable<string> scopes)
    {
        var access = scopes.SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(ParseScope).ToList();
        var now = DateTimeOffset.UtcNow;
        var header = new Dictionary<string, object>
        {
            ["alg"] = "RS256",
            ["typ"] = "JWT",
            ["x5c"] = new[] { Convert.ToBase64String(_certificate.RawData) },
        };
        var claims = new Dictionary<string, object>
        {
            ["iss"] = _issuer,
            ["sub"] = _username,
            ["aud"] = _service,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["exp"] = now.Add(TokenLifetime).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access,
        };
        var signingInput = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Interlocked.Increment(ref _issued);
        return signingInput + "." + Base64Url(signature);
    }

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends with the listener; its exception carries no news.
        }

        _certificate.Dispose();
        _key.Dispose();
    }

    private static Dictionary<string, object> ParseScope(string scope)
    {
        // type:name:actions — the name may itself contain ':' (e.g. a registry host with a port).
        var first = scope.IndexOf(':', StringComparison.Ordinal);
        var last = scope.LastIndexOf(':');
        if (first <= 0 || last == first)
        {
            throw new ArgumentException($"Malformed scope '{scope}'; expected type:name:actions.", nameof(scope));
        }

        return new Dictionary<string, object>
        {
            ["type"] = scope[..first],
            ["name"] = scope[(first + 1)..last],
            ["actions"] = scope[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries),
        };
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private async Task ServeAsync()
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

            try
            {
                await HandleAsync(context);
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or ArgumentException)
            {
                TryRespond(context.Response, HttpStatusCode.BadRequest, ex.Message);
            }
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        if (request.Url?.AbsolutePath != "/token")
        {
            TryRespond(context.Response, HttpStatusCode.NotFound, "not found");
            return;
        }

        if (!Authenticated(request.Headers["Authorization"]))
        {
            context.Response.AddHeader("WWW-Authenticate", "Basic realm=\"layerlens-test-token\"");
            TryRespond(context.Response, HttpStatusCode.Unauthorized, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
            return;
        }

        if (request.QueryString["service"] is { } service && service != _service)
        {
            TryRespond(context.Response, HttpStatusCode.BadRequest, $"unknown service '{service}'");
            return;
        }

        var token = IssueToken(request.QueryString.GetValues("scope") ?? []);
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["token"] = token,
            ["access_token"] = token,
            ["expires_in"] = (int)TokenLifetime.TotalSeconds,
            // RFC 3339 in UTC: Go parses the raw JSON text, so an escaped '+' offset (\u002B) would break clients.
            ["issued_at"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        });
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = body.Length;
        await context.Response.OutputStream.WriteAsync(body);
        context.Response.Close();
    }

    private bool Authenticated(string? authorization)
    {
        const string Prefix = "Basic ";
        if (authorization is null || !authorization.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[Prefix.Length..].Trim()));
            return decoded == $"{_username}:{_password}";
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static void TryRespond(HttpListenerResponse response, HttpStatusCode status, string text)
    {
        try
        {
            var body = Encoding.UTF8.GetBytes(text);
            response.StatusCode = (int)status;
            response.ContentLength64 = body.Length;
            response.OutputStream.Write(body);
            response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away.
        }
    }
}
