using System.Text.Encodings.Web;
using System.Text.Json;
using LayerLens.Analyzer.Dockerfiles.Model;

namespace LayerLens.Analyzer.Dockerfiles.Output;

/// <summary>Writes <c>layerlens parse --format json</c>: instructions with keyword, lines, flags, args, json, stage, heredocs, ranges.</summary>
public static class ParseJsonWriter
{
    public static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(DockerfileDocument document, Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, Options);
        w.WriteStartObject();
        w.WriteString("file", document.Source.Path);
        w.WriteString("escape", document.Result.EscapeToken.ToString());
        w.WriteStartArray("directives");
        foreach (var d in document.Result.Directives)
        {
            w.WriteStartObject();
            w.WriteString("name", d.Name);
            w.WriteString("value", d.Value);
            w.WriteNumber("line", d.Line);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("warnings");
        foreach (var warning in document.Result.Warnings)
        {
            w.WriteStartObject();
            w.WriteString("message", warning.Message);
            w.WriteNumber("line", warning.Line);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("stages");
        foreach (var stage in document.Stages)
        {
            w.WriteStartObject();
            w.WriteNumber("index", stage.Index);
            w.WriteString("name", stage.Name);
            w.WriteString("baseImage", stage.BaseImage);
            w.WriteNumber("line", stage.From.StartLine);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("instructions");
        foreach (var instruction in document.Instructions)
        {
            WriteInstruction(w, instruction);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteInstruction(Utf8JsonWriter w, Instruction instruction)
    {
        w.WriteStartObject();
        w.WriteString("keyword", instruction.Keyword);
        w.WriteNumber("startLine", instruction.StartLine);
        w.WriteNumber("endLine", instruction.EndLine);
        w.WriteStartArray("flags");
        foreach (var f in instruction.Flags)
        {
            w.WriteStringValue(f.Value);
        }
        w.WriteEndArray();
        w.WriteStartArray("args");
        foreach (var a in instruction.Args)
        {
            w.WriteStringValue(a.Value);
        }
        w.WriteEndArray();
        w.WriteBoolean("json", instruction.IsJson);
        if (instruction.Stage is { } stage)
        {
            w.WriteNumber("stage", stage);
        }
        else
        {
            w.WriteNull("stage");
        }
        w.WriteStartArray("heredocs");
        foreach (var h in instruction.Heredocs)
        {
            w.WriteStartObject();
            w.WriteString("name", h.Name);
            w.WriteNumber("fileDescriptor", h.FileDescriptor);
            w.WriteBoolean("expand", h.Expand);
            w.WriteBoolean("chomp", h.Chomp);
            w.WriteString("content", h.Content);
            w.WriteNumber("startLine", h.StartLine);
            w.WriteNumber("endLine", h.EndLine);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (instruction.Trigger is { } trigger)
        {
            w.WritePropertyName("trigger");
            WriteInstruction(w, trigger);
        }
        w.WriteStartObject("ranges");
        WriteRange(w, "instruction", instruction.Range);
        WriteRange(w, "keyword", instruction.KeywordRange);
        w.WriteStartArray("flags");
        foreach (var f in instruction.Flags)
        {
            WriteRange(w, null, f.Range);
        }
        w.WriteEndArray();
        w.WriteStartArray("args");
        foreach (var a in instruction.Args)
        {
            WriteRange(w, null, a.Range);
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteRange(Utf8JsonWriter w, string? name, SourceRange r)
    {
        if (name != null)
        {
            w.WriteStartObject(name);
        }
        else
        {
            w.WriteStartObject();
        }
        w.WriteNumber("startLine", r.StartLine);
        w.WriteNumber("startColumn", r.StartColumn);
        w.WriteNumber("endLine", r.EndLine);
        w.WriteNumber("endColumn", r.EndColumn);
        w.WriteEndObject();
    }
}
