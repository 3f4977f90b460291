using System.Text.Json;
using Json.Schema;
using LayerLens.Analyzer.Tests.Dockerfiles;

namespace LayerLens.Analyzer.Tests.Reports;

/// <summary>The official SARIF 2.1.0 JSON schema (../shared/conformance/sarif), for validating both SARIF writers.</summary>
internal static class SarifSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        // The shared schema declares draft-04; its keywords used here are draft-07 compatible, so it is read as draft-07.
        var text = File.ReadAllText(SharedData.Shared("conformance", "sarif", "sarif-schema-2.1.0.json"))
            .Replace("\"http://json-schema.org/draft-04/schema#\"", "\"http://json-schema.org/draft-07/schema#\"", StringComparison.Ordinal);
        var firstId = text.IndexOf("\"id\":", StringComparison.Ordinal);
        return JsonSchema.FromText(text[..firstId] + "\"$id\":" + text[(firstId + 5)..]);
    });

    /// <summary>Fails with every schema error listed when <paramref name="sarif"/> is not a valid SARIF 2.1.0 log.</summary>
    public static void AssertValid(string sarif)
    {
        using var instance = JsonDocument.Parse(sarif);
        var result = Schema.Value.Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, string.Join("\n", (result.Details ?? []).Where(d => d.Errors != null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }
}
