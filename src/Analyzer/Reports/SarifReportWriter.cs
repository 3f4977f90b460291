using System.Text.Json;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.Reports;

/// <summary>
/// SARIF 2.1.0: failed CI rules as errors, the largest waste items as notes. Locations name the image unless
/// the CI gave the Dockerfile it was built from: then they point at that file (the causing instruction's line
/// when it can be matched, else line 1) and the image is kept in the message and the result's properties.
/// </summary>
public sealed class SarifReportWriter(SarifDockerfile? dockerfile = null) : IReportWriter
{
    private const int MaxWasteResults = 50;

    public void Write(ImageAnalysis a, Verdict verdict, Stream output)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        SarifLog.WriteStartUpToRules(w);
        foreach (var r in verdict.Rules)
        {
            w.WriteStartObject();
            w.WriteString("id", "ci/" + r.Rule);
            w.WriteStartObject("shortDescription");
            w.WriteString("text", $"CI threshold {r.Rule}");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        foreach (var kind in Enum.GetValues<WasteKind>())
        {
            w.WriteStartObject();
            w.WriteString("id", "waste/" + kind.ToReportName());
            w.WriteStartObject("shortDescription");
            w.WriteString("text", $"{kind.ToReportName()} bytes in the image");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();

        w.WriteStartArray("results");
        foreach (var f in verdict.Failures)
        {
            Result(w, "ci/" + f.Rule, "error", dockerfile is null ? f.Message : $"{f.Message} (image {a.Reference})", a.Reference, null);
        }
        foreach (var item in a.Waste.Take(MaxWasteResults))
        {
            var message = $"{ByteSize.Format(item.Bytes)} {item.Kind.ToReportName()} at /{item.Path}: shipped in layer {item.LayerIndex}, made dead by layer {item.CauseLayerIndex}";
            var cause = a.Layers.FirstOrDefault(l => l.Index == item.CauseLayerIndex);
            Result(w, "waste/" + item.Kind.ToReportName(), "note", dockerfile is null ? message : $"{message} of image {a.Reference}", a.Reference, cause);
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private void Result(Utf8JsonWriter w, string ruleId, string level, string message, string reference, LayerAnalysis? cause)
    {
        w.WriteStartObject();
        w.WriteString("ruleId", ruleId);
        w.WriteString("level", level);
        w.WriteStartObject("message");
        w.WriteString("text", message);
        w.WriteEndObject();
        w.WriteStartArray("locations");
        w.WriteStartObject();
        w.WriteStartObject("physicalLocation");
        w.WriteStartObject("artifactLocation");
        w.WriteString("uri", dockerfile?.Path ?? reference);
        w.WriteEndObject();
        if (dockerfile is not null)
        {
            w.WriteStartObject("region");
            w.WriteNumber("startLine", dockerfile.LineFor(cause?.CreatedBy));
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        if (dockerfile is not null)
        {
            w.WriteStartObject("properties");
            w.WriteString("image", reference);
            if (cause is not null)
            {
                w.WriteNumber("causeLayer", cause.Index);
                w.WriteString("createdBy", cause.CreatedBy);
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }
}
