using System.Text.Json;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Reports.Verdicts;

namespace LayerLens.Analyzer.Reports;

/// <summary>
/// The shape of <c>dive --json</c> so existing consumers keep working, filled with LayerLens's
/// exact numbers (inefficientBytes = wastedBytes, efficiencyScore = efficiency).
/// </summary>
public sealed class DiveJsonReportWriter : IReportWriter
{
    public void Write(ImageAnalysis a, Verdict verdict, Stream output)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteStartArray("layer");
        foreach (var l in a.Layers)
        {
            w.WriteStartObject();
            w.WriteNumber("index", l.Index);
            w.WriteString("id", l.Digest);
            w.WriteString("digestId", l.DiffId ?? l.Digest);
            w.WriteNumber("sizeBytes", l.SizeBytes);
            w.WriteString("command", l.CreatedBy ?? "");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("image");
        w.WriteNumber("sizeBytes", a.SizeBytes);
        w.WriteNumber("inefficientBytes", a.WastedBytes);
        w.WriteNumber("efficiencyScore", a.Efficiency);
        w.WriteStartArray("fileReference");
        foreach (var (path, count, size) in a.Tree.RepeatedFiles().OrderByDescending(r => r.SizeBytes).ThenBy(r => r.Path, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteNumber("count", count);
            w.WriteNumber("sizeBytes", size);
            w.WriteString("file", "/" + path);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
