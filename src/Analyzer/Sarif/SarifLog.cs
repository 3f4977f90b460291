using System.Text.Json;

namespace LayerLens.Analyzer.Sarif;

/// <summary>
/// The one SARIF 2.1.0 writer (OASIS; the subset GitHub code scanning reads): one run of the LayerLens driver
/// with its rules and results. The image report and the lint report map their findings to
/// <see cref="SarifRule"/> and <see cref="SarifResult"/> and call it; the JSON options stay theirs so each
/// report keeps the escaping it has always had.
/// </summary>
public static class SarifLog
{
    public static void Write(Stream output, JsonWriterOptions options, IEnumerable<SarifRule> rules, IEnumerable<SarifResult> results)
    {
        using var w = new Utf8JsonWriter(output, options);
        w.WriteStartObject();
        w.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        w.WriteString("version", "2.1.0");
        w.WriteStartArray("runs");
        w.WriteStartObject();
        w.WriteStartObject("tool");
        w.WriteStartObject("driver");
        w.WriteString("name", "LayerLens");
        w.WriteStartArray("rules");
        foreach (var rule in rules)
        {
            WriteRule(w, rule);
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartArray("results");
        foreach (var result in results)
        {
            WriteResult(w, result);
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteRule(Utf8JsonWriter w, SarifRule rule)
    {
        w.WriteStartObject();
        w.WriteString("id", rule.Id);
        if (rule.Name is not null)
        {
            w.WriteString("name", rule.Name);
        }
        Text(w, "shortDescription", rule.ShortDescription);
        if (rule.FullDescription is not null)
        {
            Text(w, "fullDescription", rule.FullDescription);
        }
        if (rule.HelpText is not null)
        {
            w.WriteStartObject("help");
            w.WriteString("text", rule.HelpText);
            w.WriteString("markdown", rule.HelpMarkdown);
            w.WriteEndObject();
        }
        if (rule.DefaultLevel is not null)
        {
            w.WriteStartObject("defaultConfiguration");
            w.WriteString("level", rule.DefaultLevel);
            w.WriteEndObject();
        }
        Properties(w, rule.Properties);
        w.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter w, SarifResult result)
    {
        w.WriteStartObject();
        w.WriteString("ruleId", result.RuleId);
        if (result.RuleIndex is { } index)
        {
            w.WriteNumber("ruleIndex", index);
        }
        w.WriteString("level", result.Level);
        Text(w, "message", result.Message);
        w.WriteStartArray("locations");
        w.WriteStartObject();
        w.WriteStartObject("physicalLocation");
        w.WriteStartObject("artifactLocation");
        w.WriteString("uri", result.Uri);
        w.WriteEndObject();
        if (result.Region is { } region)
        {
            w.WriteStartObject("region");
            w.WriteNumber("startLine", region.StartLine);
            Number(w, "startColumn", region.StartColumn);
            Number(w, "endLine", region.EndLine);
            Number(w, "endColumn", region.EndColumn);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        if (result.PartialFingerprints is { Count: > 0 } fingerprints)
        {
            w.WriteStartObject("partialFingerprints");
            foreach (var (name, value) in fingerprints)
            {
                w.WriteString(name, value?.ToString());
            }
            w.WriteEndObject();
        }
        if (result.BaselineState is { } state)
        {
            w.WriteString("baselineState", state);
        }
        Properties(w, result.Properties);
        w.WriteEndObject();
    }

    private static void Text(Utf8JsonWriter w, string name, string text)
    {
        w.WriteStartObject(name);
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } number)
        {
            w.WriteNumber(name, number);
        }
    }

    private static void Properties(Utf8JsonWriter w, IReadOnlyList<SarifProperty>? properties)
    {
        if (properties is null)
        {
            return;
        }
        w.WriteStartObject("properties");
        foreach (var (name, value) in properties)
        {
            switch (value)
            {
                case int number:
                    w.WriteNumber(name, number);
                    break;
                case long number:
                    w.WriteNumber(name, number);
                    break;
                default:
                    w.WriteString(name, (string?)value);
                    break;
            }
        }
        w.WriteEndObject();
    }
}
