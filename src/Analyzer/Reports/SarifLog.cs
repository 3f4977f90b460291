using System.Text.Json;

namespace LayerLens.Analyzer.Reports;

/// <summary>The SARIF 2.1.0 envelope shared by the image report and the lint report.</summary>
internal static class SarifLog
{
    /// <summary>Opens the log, its one run and the tool driver, and leaves the driver's "rules" array open.</summary>
    public static void WriteStartUpToRules(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        w.WriteString("version", "2.1.0");
        w.WriteStartArray("runs");
        w.WriteStartObject();
        w.WriteStartObject("tool");
        w.WriteStartObject("driver");
        w.WriteString("name", "LayerLens");
        w.WriteStartArray("rules");
    }
}
