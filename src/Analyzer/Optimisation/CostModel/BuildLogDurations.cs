using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LayerLens.Analyzer.Optimisation.CostModel;

/// <summary>One step of a BuildKit build log: its vertex name ("[stage 2/5] RUN ..."), seconds and whether it was cached.</summary>
public sealed record LoggedStep(string Name, double Seconds, bool Cached);

/// <summary>Reads step durations from a BuildKit <c>--progress=plain</c> or <c>--progress=rawjson</c> log.</summary>
public static partial class BuildLogDurations
{
    public const long MaxLogBytes = 64L * 1024 * 1024;

    public static IReadOnlyList<LoggedStep> Parse(string text)
    {
        var trimmed = text.TrimStart();
        return trimmed.StartsWith('{') ? ParseRawJson(text) : ParsePlain(text);
    }

    private static List<LoggedStep> ParsePlain(string text)
    {
        var names = new Dictionary<int, string>();
        var result = new Dictionary<int, LoggedStep>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var m = PlainLine().Match(line);
            if (!m.Success)
            {
                continue;
            }
            var id = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            var rest = m.Groups[2].Value;
            if (rest.StartsWith('['))
            {
                names.TryAdd(id, rest);
            }
            else if (rest == "CACHED" && names.TryGetValue(id, out var cachedName))
            {
                result[id] = new LoggedStep(cachedName, 0, true);
            }
            else if (DoneLine().Match(rest) is { Success: true } done && names.TryGetValue(id, out var name))
            {
                result[id] = new LoggedStep(name, double.Parse(done.Groups[1].Value, CultureInfo.InvariantCulture), false);
            }
        }
        return [.. result.OrderBy(r => r.Key).Select(r => r.Value)];
    }

    private static List<LoggedStep> ParseRawJson(string text)
    {
        var steps = new Dictionary<string, LoggedStep>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }
            using var doc = JsonDocument.Parse(line);
            if (!doc.RootElement.TryGetProperty("vertexes", out var vertexes) || vertexes.ValueKind != JsonValueKind.Array)
            {
                continue;
            }
            foreach (var v in vertexes.EnumerateArray())
            {
                var digest = v.TryGetProperty("digest", out var d) ? d.GetString() ?? "" : "";
                var name = v.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
                var cached = v.TryGetProperty("cached", out var c) && c.ValueKind == JsonValueKind.True;
                double seconds = 0;
                if (v.TryGetProperty("started", out var s) && v.TryGetProperty("completed", out var e)
                    && s.ValueKind == JsonValueKind.String && e.ValueKind == JsonValueKind.String)
                {
                    seconds = (e.GetDateTimeOffset() - s.GetDateTimeOffset()).TotalSeconds;
                }
                if (name.StartsWith('[') && (seconds > 0 || cached))
                {
                    steps[digest] = new LoggedStep(name, seconds, cached);
                }
            }
        }
        return [.. steps.Values];
    }

    /// <summary>The instruction text of a vertex name: "[build 3/7] RUN npm ci" → "RUN npm ci".</summary>
    public static string InstructionText(string name)
    {
        var close = name.IndexOf("] ", StringComparison.Ordinal);
        return close < 0 ? name : name[(close + 2)..];
    }

    [GeneratedRegex(@"^#(\d+) (.*)$")]
    private static partial Regex PlainLine();

    [GeneratedRegex(@"^DONE (\d+(?:\.\d+)?)s$")]
    private static partial Regex DoneLine();
}
