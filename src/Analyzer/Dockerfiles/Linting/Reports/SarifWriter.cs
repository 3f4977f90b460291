using LayerLens.Analyzer.Reports;
using System.Text.Json;
using LayerLens.Analyzer.Dockerfiles.Output;

namespace LayerLens.Analyzer.Dockerfiles.Linting.Reports;

/// <summary>SARIF 2.1.0 (OASIS) output, as GitHub code scanning reads it: one run, every rule with its help text.</summary>
public static class SarifWriter
{
    public static void Write(LintReport report, Stream stream)
    {
        var rules = RuleCatalog.All;
        var index = rules.Select((r, i) => (r.Id, i)).ToDictionary(p => p.Id, p => p.i);
        using var w = new Utf8JsonWriter(stream, ParseJsonWriter.Options);
        SarifLog.WriteStartUpToRules(w);
        foreach (var rule in rules)
        {
            w.WriteStartObject();
            w.WriteString("id", rule.Id);
            w.WriteString("name", rule.BuildkitCheck ?? rule.HadolintId ?? rule.Id);
            w.WriteStartObject("shortDescription");
            w.WriteString("text", rule.Title);
            w.WriteEndObject();
            w.WriteStartObject("fullDescription");
            w.WriteString("text", rule.Why);
            w.WriteEndObject();
            w.WriteStartObject("help");
            w.WriteString("text", $"{rule.Why} {rule.Fix}");
            w.WriteString("markdown", rule.Documentation);
            w.WriteEndObject();
            w.WriteStartObject("defaultConfiguration");
            w.WriteString("level", Level(rule.Severity));
            w.WriteEndObject();
            w.WriteStartObject("properties");
            w.WriteString("hadolintId", rule.HadolintId);
            w.WriteString("buildkitCheck", rule.BuildkitCheck);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartArray("results");
        foreach (var f in report.Findings)
        {
            w.WriteStartObject();
            w.WriteString("ruleId", f.RuleId);
            if (index.TryGetValue(f.RuleId, out var i))
            {
                w.WriteNumber("ruleIndex", i);
            }
            w.WriteString("level", Level(f.Severity));
            w.WriteStartObject("message");
            w.WriteString("text", f.Message);
            w.WriteEndObject();
            w.WriteStartArray("locations");
            w.WriteStartObject();
            w.WriteStartObject("physicalLocation");
            w.WriteStartObject("artifactLocation");
            w.WriteString("uri", Uri(f.File));
            w.WriteEndObject();
            w.WriteStartObject("region");
            w.WriteNumber("startLine", Math.Max(1, f.Line));
            w.WriteNumber("startColumn", Math.Max(1, f.Column));
            w.WriteNumber("endLine", Math.Max(Math.Max(1, f.Line), f.EndLine));
            w.WriteNumber("endColumn", Math.Max(1, f.EndColumn));
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string Level(Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "note",
    };

    private static string Uri(string file) => file.Replace('\\', '/');
}
