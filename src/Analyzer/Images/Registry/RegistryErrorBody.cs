using System.Text;
using System.Text.Json;

namespace LayerLens.Analyzer.Images.Registry;

/// <summary>
/// The distribution API's error body (<c>{"errors":[{"code","message"}]}</c>) as a short, printable suffix for an
/// error message: at most 8 KiB is read, at most 200 characters told, control characters dropped.
/// </summary>
internal static class RegistryErrorBody
{
    private const int MaxRead = 8192;
    private const int MaxTold = 200;

    /// <summary>The first error's code (null when the body has none) and the printable suffix for a message.</summary>
    public static async Task<(string? Code, string Suffix)> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            var buffer = new byte[MaxRead];
            var length = 0;
            int n;
            while (length < buffer.Length && (n = await body.ReadAsync(buffer.AsMemory(length), timeout.Token)) > 0)
            {
                length += n;
            }
            using var doc = JsonDocument.Parse(buffer.AsMemory(0, length));
            if (doc.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                var first = errors[0];
                var code = first.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                var message = first.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                var text = Printable(string.Join(": ", new[] { code, message }.Where(x => !string.IsNullOrEmpty(x))));
                return (code, text.Length == 0 ? "" : $" [{text}]");
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            // An error body that is not the API's JSON (or never arrives) adds nothing to the message.
        }
        return (null, "");
    }

    private static string Printable(string text)
    {
        var result = new StringBuilder();
        foreach (var c in text)
        {
            if (result.Length >= MaxTold)
            {
                result.Append('…');
                break;
            }
            result.Append(char.IsControl(c) ? ' ' : c);
        }
        return result.ToString();
    }
}
