using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Dockerfiles.Linting.Reports;
using LayerLens.Analyzer.Optimisation.Reports;
using LayerLens.Analyzer.Reports.Verdicts;

namespace LayerLens.Web.Reviews;

/// <summary>
/// The report of a Dockerfile review in the four API formats. JSON (schema v1) holds the lint
/// <c>findings[]</c> and <c>verdict</c> beside the optimise fields of <c>layerlens optimize --format json</c>
/// (<c>changes[]</c>, <c>recommendedDockerfile</c>, <c>diff</c>, <c>expected</c>, <c>measured</c>); SARIF and
/// JUnit carry the findings; Markdown both findings and the optimisation.
/// </summary>
public static class ReviewReportWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(ReviewOutcome review, string format, Stream stream, Verdict? policy = null)
    {
        switch (format)
        {
            case "json":
                stream.Write(Encoding.UTF8.GetBytes(Json(review, policy)));
                break;
            case "markdown":
                var text = LintReportWriters.Markdown(review.Lint) + "\n" + OptimizeReport.Write("markdown", review.Optimisation, review.Measured);
                if (review.Context is { SkippedMetadata: > 0 } context)
                {
                    text += $"\n_{context.SkippedMetadata} version-control entries (.git, .hg, …) of the uploaded context were left out: the service never runs tools on them._\n";
                }
                stream.Write(Encoding.UTF8.GetBytes(text));
                break;
            default:
                LintReportWriters.Write(review.Lint, format, stream);
                break;
        }
    }

    /// <param name="policy">The project's or request's CI rules (worst lint severity); their failures join the lint's.</param>
    public static string Json(ReviewOutcome review, Verdict? policy = null)
    {
        policy ??= Verdict.None;
        // A policy's maxLintSeverity replaces the lint's own failure threshold: they decide the same thing.
        var lintDecides = !policy.Rules.Any(r => r.Rule == "maxLintSeverity");
        var optimise = JsonNode.Parse(OptimizeReport.Json(review.Optimisation, review.Measured))!.AsObject();
        var root = new JsonObject
        {
            ["schemaVersion"] = 1,
            ["kind"] = "dockerfile",
            ["dockerfile"] = new JsonObject { ["name"] = review.FileName, ["text"] = review.Optimisation.OriginalDockerfile },
            ["findings"] = new JsonArray([.. review.Lint.Findings.Select(Finding)]),
            ["verdict"] = new JsonObject
            {
                ["passed"] = (!lintDecides || review.Lint.Passed) && policy.Passed,
                ["failureThreshold"] = review.Lint.FailureThreshold?.ToName() ?? "none",
                ["failures"] = new JsonArray([
                    .. (lintDecides ? review.Lint.Failures : []).Select(f => (JsonNode?)JsonValue.Create($"{f.File}:{f.Line} {f.RuleId} {f.Message}")),
                    .. policy.Failures.Select(f => (JsonNode?)JsonValue.Create($"{f.Rule}: {f.Message}"))]),
            },
        };
        if (review.Context is { } context)
        {
            // Said in the report: the review saw the context without its .git (and other VCS metadata).
            root["context"] = new JsonObject
            {
                ["entries"] = context.Entries,
                ["expandedBytes"] = context.ExpandedBytes,
                ["versionControlEntriesLeftOut"] = context.SkippedMetadata,
            };
        }
        foreach (var (name, value) in optimise.ToList())
        {
            if (name != "schemaVersion")
            {
                optimise.Remove(name);
                root[name] = value;
            }
        }
        return root.ToJsonString(Indented) + "\n";
    }

    private static JsonNode Finding(Finding f) => new JsonObject
    {
        ["ruleId"] = f.RuleId,
        ["severity"] = f.Severity.ToName(),
        ["file"] = f.File,
        ["line"] = f.Line,
        ["column"] = f.Column,
        ["endLine"] = f.EndLine,
        ["endColumn"] = f.EndColumn,
        ["message"] = f.Message,
        ["hadolintId"] = f.HadolintId,
        ["buildkitCheck"] = f.BuildkitCheck,
    };
}
