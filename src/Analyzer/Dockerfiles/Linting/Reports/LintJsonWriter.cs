using System.Buffers;
using System.Globalization;
using System.Text.Json;
using LayerLens.Analyzer.Dockerfiles.Output;

namespace LayerLens.Analyzer.Dockerfiles.Linting.Reports;

/// <summary>
/// <c>layerlens lint --format json</c>. Reports run to tens of MB on big trees, so the writer flushes every
/// <see cref="FlushBytes"/> instead of holding the whole document, writes names and repeated values (rule ids,
/// severities, the current file) pre-encoded, and builds failure lines in one reused buffer.
/// </summary>
internal static class LintJsonWriter
{
    private const int FlushBytes = 64 * 1024;

    private static readonly JsonWriterOptions Options = ParseJsonWriter.Options with { SkipValidation = true };

    private static readonly JsonEncodedText RuleId = JsonEncodedText.Encode("ruleId");
    private static readonly JsonEncodedText SeverityName = JsonEncodedText.Encode("severity");
    private static readonly JsonEncodedText File = JsonEncodedText.Encode("file");
    private static readonly JsonEncodedText Line = JsonEncodedText.Encode("line");
    private static readonly JsonEncodedText Column = JsonEncodedText.Encode("column");
    private static readonly JsonEncodedText EndLine = JsonEncodedText.Encode("endLine");
    private static readonly JsonEncodedText EndColumn = JsonEncodedText.Encode("endColumn");
    private static readonly JsonEncodedText Message = JsonEncodedText.Encode("message");
    private static readonly JsonEncodedText HadolintId = JsonEncodedText.Encode("hadolintId");
    private static readonly JsonEncodedText BuildkitCheck = JsonEncodedText.Encode("buildkitCheck");

    public static void Write(LintReport report, Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, Options);
        var encoded = new Dictionary<string, JsonEncodedText>(StringComparer.Ordinal);
        w.WriteStartObject();
        w.WriteNumber("schemaVersion", 1);
        w.WriteStartArray("files");
        foreach (var file in report.Files)
        {
            w.WriteStringValue(file);
            FlushIfFull(w);
        }
        w.WriteEndArray();
        w.WriteStartArray("findings");
        string? lastFile = null;
        var fileText = default(JsonEncodedText);
        foreach (var f in report.Findings)
        {
            if (!ReferenceEquals(f.File, lastFile))
            {
                lastFile = f.File;
                fileText = JsonEncodedText.Encode(f.File, Options.Encoder);
            }
            w.WriteStartObject();
            w.WriteString(RuleId, Encoded(encoded, f.RuleId));
            w.WriteString(SeverityName, Encoded(encoded, f.Severity.ToName()));
            w.WriteString(File, fileText);
            w.WriteNumber(Line, f.Line);
            w.WriteNumber(Column, f.Column);
            w.WriteNumber(EndLine, f.EndLine);
            w.WriteNumber(EndColumn, f.EndColumn);
            w.WriteString(Message, f.Message);
            WriteOptional(w, encoded, HadolintId, f.HadolintId);
            WriteOptional(w, encoded, BuildkitCheck, f.BuildkitCheck);
            w.WriteEndObject();
            FlushIfFull(w);
        }
        w.WriteEndArray();
        w.WriteStartArray("errors");
        foreach (var (file, line, message) in report.Errors)
        {
            w.WriteStartObject();
            w.WriteString("file", file);
            w.WriteNumber("line", line);
            w.WriteString("message", message);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("verdict");
        w.WriteBoolean("passed", report.Passed);
        w.WriteString("failureThreshold", report.FailureThreshold?.ToName() ?? "none");
        w.WriteStartArray("failures");
        var buffer = ArrayPool<char>.Shared.Rent(256);
        try
        {
            foreach (var f in report.Failures)
            {
                // "{file}:{line} {ruleId} {message}"
                var length = f.File.Length + f.RuleId.Length + f.Message.Length + 14;
                if (buffer.Length < length)
                {
                    ArrayPool<char>.Shared.Return(buffer);
                    buffer = ArrayPool<char>.Shared.Rent(length);
                }
                var span = buffer.AsSpan();
                f.File.CopyTo(span);
                var n = f.File.Length;
                span[n++] = ':';
                f.Line.TryFormat(span[n..], out var digits, default, CultureInfo.InvariantCulture);
                n += digits;
                span[n++] = ' ';
                f.RuleId.CopyTo(span[n..]);
                n += f.RuleId.Length;
                span[n++] = ' ';
                f.Message.CopyTo(span[n..]);
                n += f.Message.Length;
                w.WriteStringValue(span[..n]);
                FlushIfFull(w);
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
        foreach (var (file, line, message) in report.Errors)
        {
            w.WriteStringValue($"{file}:{line} {message}");
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void FlushIfFull(Utf8JsonWriter w)
    {
        if (w.BytesPending >= FlushBytes)
        {
            w.Flush();
        }
    }

    private static void WriteOptional(Utf8JsonWriter w, Dictionary<string, JsonEncodedText> encoded, JsonEncodedText name, string? value)
    {
        if (value == null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, Encoded(encoded, value));
        }
    }

    private static JsonEncodedText Encoded(Dictionary<string, JsonEncodedText> cache, string value)
    {
        if (!cache.TryGetValue(value, out var text))
        {
            cache[value] = text = JsonEncodedText.Encode(value, Options.Encoder);
        }
        return text;
    }
}
