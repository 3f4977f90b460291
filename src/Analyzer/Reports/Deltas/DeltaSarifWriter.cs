using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.Sarif;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.Reports.Deltas;

/// <summary>
/// SARIF of a delta (through the one <see cref="SarifLog"/>): every result carries <c>baselineState</c> and a
/// line-independent <c>partialFingerprints</c> entry, so code scanning shows what the change introduced. A review:
/// each finding, new, unchanged, updated or absent (fixed, at its baseline location). An image: each new waste item
/// (<c>new</c>), each resolved one (<c>absent</c>) and each failed regression rule (<c>new</c>, an error).
/// </summary>
public static class DeltaSarifWriter
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(DeltaReport report, Stream output)
    {
        var baseline = report.Baseline;
        if (baseline.Findings is { } findings)
        {
            var ids = findings.Findings.Select(f => f.Finding.RuleId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var index = ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal);
            var rules = ids.Select(id => RuleCatalog.Find(id) is { } rule
                ? new SarifRule(id, rule.Title) { Name = rule.BuildkitCheck ?? rule.HadolintId ?? rule.Id, HelpText = $"{rule.Why} {rule.Fix}", HelpMarkdown = rule.Documentation, DefaultLevel = Level(rule.Severity) }
                : new SarifRule(id, id));
            var results = findings.Findings.Select(f => new SarifResult(f.Finding.RuleId, Level(f.Finding.Severity), f.Finding.Message, f.Finding.File.Replace('\\', '/'))
            {
                RuleIndex = index[f.Finding.RuleId],
                Region = new SarifRegion(Math.Max(1, f.Finding.Line))
                {
                    StartColumn = Math.Max(1, f.Finding.Column),
                    EndLine = Math.Max(Math.Max(1, f.Finding.Line), f.Finding.EndLine),
                    EndColumn = Math.Max(1, f.Finding.EndColumn),
                },
                PartialFingerprints = [new(FindingFingerprints.Key, f.Fingerprint)],
                BaselineState = State(f.State),
            });
            SarifLog.Write(output, Options, rules, results);
            return;
        }
        var image = report.Current.Name;
        var regression = baseline.Verdict.Rules.Select(r => new SarifRule("regression/" + r.Rule, $"Regression rule {r.Rule}"));
        var waste = Enum.GetValues<WasteKind>().Select(kind => new SarifRule("waste/" + kind.ToReportName(), $"{kind.ToReportName()} bytes in the image"));
        var failed = baseline.Verdict.Failures.Select(r => new SarifResult("regression/" + r.Rule, "error", $"{r.Message} (image {image})", image)
        {
            PartialFingerprints = [new(FindingFingerprints.Key, Hash("regression\n" + r.Rule))],
            BaselineState = "new",
            Properties = [new("before", r.Before), new("after", r.After), new("threshold", r.Threshold)],
        });
        var items = (baseline.Image?.NewWaste ?? []).Select(w => Waste(w, "new", image))
            .Concat((baseline.Image?.ResolvedWaste ?? []).Select(w => Waste(w, "absent", image)));
        SarifLog.Write(output, Options, regression.Concat(waste), failed.Concat(items));
    }

    private static SarifResult Waste(ReportWaste item, string state, string image) =>
        new("waste/" + item.Kind.ToReportName(), "note",
            $"{ByteSize.Format(item.Bytes)} {item.Kind.ToReportName()} at /{item.Path}: shipped in layer {item.LayerIndex}, made dead by layer {item.CauseLayerIndex}" +
            (state == "absent" ? " (in the baseline, gone now)" : ""), image)
        {
            PartialFingerprints = [new(FindingFingerprints.Key, Hash($"waste\n{item.Kind.ToReportName()}\n{item.Path}"))],
            BaselineState = state,
        };

    private static string State(BaselineState state) => state switch
    {
        BaselineState.New => "new",
        BaselineState.Unchanged => "unchanged",
        BaselineState.Updated => "updated",
        _ => "absent",
    };

    private static string Level(string severity) => SeverityNames.TryParse(severity, out var s) ? Level(s) : "note";

    private static string Level(Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "note",
    };

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 16);
}
