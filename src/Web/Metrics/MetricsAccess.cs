using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace LayerLens.Web.Metrics;

/// <summary>
/// Who may read /metrics. The numbers name no workspace, but they tell an outsider how busy the service is, so they
/// are not public: with <c>LayerLens:Metrics:Token</c> set, a request must send it as a bearer token (a scraper on
/// another machine, e.g. Prometheus in the cluster); without it, only this machine (loopback) may read them. A
/// client cannot look local through X-Forwarded-For: only a loopback proxy's last entry is trusted (Program.cs).
/// </summary>
public sealed class MetricsAccess(string? token)
{
    public const string TokenSetting = "LayerLens:Metrics:Token";

    private readonly byte[]? _token = string.IsNullOrEmpty(token) ? null : Encoding.UTF8.GetBytes(token);

    public static MetricsAccess From(IConfiguration configuration) => new(configuration.GetValue<string?>(TokenSetting));

    /// <summary>200 when allowed; 401 (token configured, not sent or wrong) or 403 (no token configured, not local).</summary>
    public int StatusFor(HttpContext context)
    {
        if (_token is null)
        {
            return context.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address)
                ? StatusCodes.Status200OK
                : StatusCodes.Status403Forbidden;
        }
        var header = context.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return StatusCodes.Status401Unauthorized;
        }
        var sent = Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim());
        // Constant time: the comparison must not tell how many leading bytes were right.
        return CryptographicOperations.FixedTimeEquals(sent, _token) ? StatusCodes.Status200OK : StatusCodes.Status401Unauthorized;
    }
}
