using System.Security.Cryptography;
using System.Text;

namespace LayerLens.Web.Webhooks;

/// <summary><c>X-LayerLens-Signature: sha256=&lt;hex HMAC-SHA256 of "&lt;timestamp&gt;.&lt;body&gt;"&gt;</c>; the timestamp stops replays of old bodies.</summary>
public static class WebhookSignature
{
    public static string Sign(string secret, string timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));
}
