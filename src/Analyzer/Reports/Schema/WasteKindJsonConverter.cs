using System.Text.Json;
using System.Text.Json.Serialization;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.Reports.Schema;

/// <summary>Waste kinds as the report names them (<see cref="WasteKindNames.ToReportName"/>), both ways.</summary>
public sealed class WasteKindJsonConverter : JsonConverter<WasteKind>
{
    public override WasteKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var name = reader.GetString();
        foreach (var kind in Enum.GetValues<WasteKind>())
        {
            if (kind.ToReportName() == name)
            {
                return kind;
            }
        }
        throw new JsonException($"unknown waste kind '{name}'");
    }

    public override void Write(Utf8JsonWriter writer, WasteKind value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToReportName());
}
