using System.Text.Json;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.Reports;

/// <summary>Report schema version 1: the field names of docs/numbers.md, never renamed.</summary>
public sealed class JsonReportWriter : IReportWriter
{
    public const int SchemaVersion = 1;

    public void Write(ImageAnalysis a, Verdict verdict, Stream output)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteNumber("schemaVersion", SchemaVersion);

        w.WriteStartObject("image");
        w.WriteString("reference", a.Reference);
        w.WriteString("digest", a.Digest);
        w.WriteString("platform", a.Platform);
        w.WriteNumber("compressedSizeBytes", a.CompressedSizeBytes);
        w.WriteNumber("sizeBytes", a.SizeBytes);
        w.WriteNumber("finalBytes", a.FinalBytes);
        w.WriteNumber("fileCount", a.FileCount);
        WriteConfig(w, a.Config);
        w.WriteEndObject();

        w.WriteStartArray("layers");
        foreach (var l in a.Layers)
        {
            w.WriteStartObject();
            w.WriteNumber("index", l.Index);
            w.WriteString("digest", l.Digest);
            w.WriteString("diffId", l.DiffId);
            w.WriteNumber("compressedSizeBytes", l.CompressedSizeBytes);
            w.WriteNumber("sizeBytes", l.SizeBytes);
            w.WriteString("createdBy", l.CreatedBy);
            w.WriteNumber("added", l.Added);
            w.WriteNumber("modified", l.Modified);
            w.WriteNumber("removed", l.Removed);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartObject("efficiency");
        w.WriteNumber("score", a.Efficiency);
        w.WriteNumber("wastedBytes", a.WastedBytes);
        w.WriteNumber("duplicateBytes", a.DuplicateBytes);
        w.WriteEndObject();

        w.WriteStartArray("waste");
        foreach (var item in a.Waste)
        {
            w.WriteStartObject();
            w.WriteString("kind", item.Kind.ToReportName());
            w.WriteString("path", item.Path);
            w.WriteNumber("bytes", item.Bytes);
            w.WriteNumber("layerIndex", item.LayerIndex);
            w.WriteNumber("causeLayerIndex", item.CauseLayerIndex);
            w.WriteNumber("files", item.Files);
            if (item.OriginalPath is not null)
            {
                w.WriteString("originalPath", item.OriginalPath);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("findings");
        w.WriteEndArray();

        w.WriteStartObject("verdict");
        w.WriteBoolean("passed", verdict.Passed);
        w.WriteStartArray("failures");
        foreach (var f in verdict.Failures)
        {
            w.WriteStartObject();
            w.WriteString("rule", f.Rule);
            w.WriteString("message", f.Message);
            w.WriteString("actual", f.Actual);
            w.WriteString("threshold", f.Threshold);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteEndObject();
    }

    private static void WriteConfig(Utf8JsonWriter w, ImageConfigSummary c)
    {
        w.WriteStartObject("config");
        WriteStrings(w, "env", c.Env);
        WriteStrings(w, "entrypoint", c.Entrypoint);
        WriteStrings(w, "cmd", c.Cmd);
        w.WriteString("workingDir", c.WorkingDir);
        w.WriteString("user", c.User);
        WriteStrings(w, "exposedPorts", c.ExposedPorts);
        w.WriteStartObject("labels");
        foreach (var (k, v) in c.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            w.WriteString(k, v);
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            w.WriteNull(name);
            return;
        }
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }
        w.WriteEndArray();
    }
}
