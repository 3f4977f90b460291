using System.Globalization;
using System.Text;
using LayerLens.Analyzer.Optimisation.Measurement;
using LayerLens.Analyzer.Reports.Schema;

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

    public static string Json(OptimisationResult result, MeasurementResult? measured) => ReportJson.Write(Contract(result, measured));

    /// <summary>The schema v1 record of a result: a withheld recommendation shows the original and names the rejected one.</summary>
    public static OptimizeReportJson Contract(OptimisationResult result, MeasurementResult? measured)
    {
        var withheld = Withheld(measured);
        return new OptimizeReportJson(
            1,
            [.. result.Changes.Select(c => new ReviewChange(c.Kind, c.Line, c.Message, c.IsAdvice, c.Example))],
            withheld ? result.OriginalDockerfile : result.RecommendedDockerfile,
            withheld ? "" : result.Diff,
            withheld,
            withheld ? result.RecommendedDockerfile : null,
            new ReviewExpected(
                Round(result.ExpectedOriginalSeconds),
                Round(result.ExpectedRecommendedSeconds),
                result.WeightSource,
                result.DurationSource,
                [.. result.ExpectedOriginalSteps.Select(s => new ReviewStep(s.Line, s.Instruction, Round(s.Seconds)))],
                [.. result.ExpectedRecommendedSteps.Select(s => new ReviewStep(s.Line, s.Instruction, Round(s.Seconds)))]),
            measured is null ? null : new ReviewMeasured(
                [.. measured.Scenarios.Select(s => new ReviewScenario(
                    s.Name, Round(s.OriginalSeconds), Round(s.RecommendedSeconds), s.Runs, s.OriginalCachedSteps, s.RecommendedCachedSteps,
                    [.. s.OriginalSteps.Select(Step)],
                    [.. s.RecommendedSteps.Select(Step)]))],
                measured.Equivalent,
                [.. measured.Differences],
                [.. measured.Failures],
                [.. measured.Notes]));
    }

    /// <summary>Per-step seconds for the web's stacked chart: line, instruction, seconds, and cached for measured steps.</summary>
    private static ReviewStep Step(MeasuredStep s) => new(s.Line, s.Instruction, Round(s.Seconds), s.Cached);

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
