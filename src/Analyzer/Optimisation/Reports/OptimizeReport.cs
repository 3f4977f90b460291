using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using LayerLens.Analyzer.Optimisation.Measurement;

namespace LayerLens.Analyzer.Optimisation.Reports;

/// <summary>Writes the optimize report as JSON (docs/numbers.md, "Rebuild cost"), Markdown or a plain table.</summary>
public static class OptimizeReport
{
    public static readonly string[] Formats = ["table", "json", "markdown"];

    /// <summary>True when measurement found a difference or a failure, so the recommendation must not be used.</summary>
    public static bool Withheld(MeasurementResult? measured) => measured is not null && (!measured.Equivalent || measured.Failures.Count > 0);

    public static string Write(string format, OptimisationResult result, MeasurementResult? measured) => format switch
    {
        "json" => Json(result, measured),
        "markdown" => Markdown(result, measured),
        _ => Table(result, measured),
    };

    private static double Round(double s) => Math.Round(s, 3);

    public static string Json(OptimisationResult result, MeasurementResult? measured)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            var withheld = Withheld(measured);
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 1);
            w.WriteStartArray("changes");
            foreach (var c in result.Changes)
            {
                w.WriteStartObject();
                w.WriteString("kind", c.Kind);
                w.WriteNumber("line", c.Line);
                w.WriteString("message", c.Message);
                w.WriteBoolean("advice", c.IsAdvice);
                if (c.Example is not null)
                {
                    w.WriteString("example", c.Example);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("recommendedDockerfile", withheld ? result.OriginalDockerfile : result.RecommendedDockerfile);
            w.WriteString("diff", withheld ? "" : result.Diff);
            w.WriteBoolean("withheld", withheld);
            if (withheld)
            {
                w.WriteString("rejectedDockerfile", result.RecommendedDockerfile);
            }
            w.WriteStartObject("expected");
            w.WriteNumber("originalSeconds", Round(result.ExpectedOriginalSeconds));
            w.WriteNumber("recommendedSeconds", Round(result.ExpectedRecommendedSeconds));
            w.WriteString("weights", result.WeightSource);
            w.WriteString("durations", result.DurationSource);
            WriteSteps(w, "originalSteps", result.ExpectedOriginalSteps.Select(s => (s.Line, s.Instruction, s.Seconds, (bool?)null)));
            WriteSteps(w, "recommendedSteps", result.ExpectedRecommendedSteps.Select(s => (s.Line, s.Instruction, s.Seconds, (bool?)null)));
            w.WriteEndObject();
            if (measured is not null)
            {
                w.WriteStartObject("measured");
                w.WriteStartArray("scenarios");
                foreach (var s in measured.Scenarios)
                {
                    w.WriteStartObject();
                    w.WriteString("name", s.Name);
                    w.WriteNumber("originalSeconds", Round(s.OriginalSeconds));
                    w.WriteNumber("recommendedSeconds", Round(s.RecommendedSeconds));
                    w.WriteNumber("runs", s.Runs);
                    w.WriteNumber("originalCachedSteps", s.OriginalCachedSteps);
                    w.WriteNumber("recommendedCachedSteps", s.RecommendedCachedSteps);
                    WriteSteps(w, "originalSteps", s.OriginalSteps.Select(x => (x.Line, x.Instruction, x.Seconds, (bool?)x.Cached)));
                    WriteSteps(w, "recommendedSteps", s.RecommendedSteps.Select(x => (x.Line, x.Instruction, x.Seconds, (bool?)x.Cached)));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteBoolean("equivalent", measured.Equivalent);
                WriteStrings(w, "differences", measured.Differences);
                WriteStrings(w, "failures", measured.Failures);
                WriteStrings(w, "notes", measured.Notes);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>Per-step seconds for the web's stacked chart: line, instruction, seconds, and cached for measured steps.</summary>
    private static void WriteSteps(Utf8JsonWriter w, string name, IEnumerable<(int Line, string Instruction, double Seconds, bool? Cached)> steps)
    {
        w.WriteStartArray(name);
        foreach (var (line, instruction, seconds, cached) in steps)
        {
            w.WriteStartObject();
            w.WriteNumber("line", line);
            w.WriteString("instruction", instruction);
            w.WriteNumber("seconds", Round(seconds));
            if (cached is { } c)
            {
                w.WriteBoolean("cached", c);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }
        w.WriteEndArray();
    }

    private static string Markdown(OptimisationResult result, MeasurementResult? measured)
    {
        var sb = new StringBuilder();
        sb.Append("## Dockerfile optimisation\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Expected rebuild per change: **{result.ExpectedOriginalSeconds:0.0} s → {result.ExpectedRecommendedSeconds:0.0} s** (weights: {result.WeightSource}, durations: {result.DurationSource}).\n\n");
        if (result.Changes.Count > 0)
        {
            sb.Append("| line | kind | change |\n|---:|---|---|\n");
            foreach (var c in result.Changes)
            {
                sb.Append(CultureInfo.InvariantCulture, $"| {c.Line} | {c.Kind}{(c.IsAdvice ? " (advice)" : "")} | {c.Message.Replace("|", "\\|", StringComparison.Ordinal)} |\n");
            }
            sb.Append('\n');
        }
        AppendMeasured(sb, measured, markdown: true);
        if (result.HasRewrites && !Withheld(measured))
        {
            sb.Append("```diff\n").Append(result.Diff).Append("```\n");
        }
        return sb.ToString();
    }

    private static string Table(OptimisationResult result, MeasurementResult? measured)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Expected rebuild per change: {result.ExpectedOriginalSeconds:0.0} s -> {result.ExpectedRecommendedSeconds:0.0} s ({result.WeightSource}, {result.DurationSource})\n");
        if (result.Changes.Count == 0)
        {
            sb.Append("No changes: the Dockerfile is already well ordered.\n");
        }
        foreach (var c in result.Changes)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{c.Line,5}  {(c.IsAdvice ? "advice " : "rewrite")}  {c.Kind,-16}  {c.Message}\n");
        }
        AppendMeasured(sb, measured, markdown: false);
        if (result.HasRewrites && !Withheld(measured))
        {
            sb.Append('\n').Append(result.Diff);
        }
        return sb.ToString();
    }

    private static void AppendMeasured(StringBuilder sb, MeasurementResult? measured, bool markdown)
    {
        if (measured is null)
        {
            return;
        }
        sb.Append(markdown ? "| scenario | original s | recommended s | runs |\n|---|---:|---:|---:|\n" : "\nscenario        original s  recommended s  runs\n");
        foreach (var s in measured.Scenarios)
        {
            if (markdown)
            {
                sb.Append(CultureInfo.InvariantCulture, $"| {s.Name} | {s.OriginalSeconds:0.00} | {s.RecommendedSeconds:0.00} | {s.Runs} |\n");
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $"{s.Name,-15} {s.OriginalSeconds,10:0.00}  {s.RecommendedSeconds,13:0.00}  {s.Runs,4}\n");
            }
        }
        sb.Append(measured.Equivalent ? "\nEquivalent: the two images have the same filesystem and configuration.\n" : "\nNOT equivalent: the recommendation is withheld.\n");
        foreach (var d in measured.Differences.Concat(measured.Failures))
        {
            sb.Append(markdown ? "- " : "  ").Append(d).Append('\n');
        }
    }
}
