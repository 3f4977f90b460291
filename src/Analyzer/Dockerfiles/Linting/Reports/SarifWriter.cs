using System.Text.Json;
using LayerLens.Analyzer.Dockerfiles.Output;
using LayerLens.Analyzer.Sarif;

namespace LayerLens.Analyzer.Dockerfiles.Linting.Reports;

/// <summary>
/// The lint report as SARIF (written by <see cref="SarifLog"/>): every rule with its help text, each finding at its range
/// with its line-independent <see cref="FindingFingerprints"/> fingerprint in <c>partialFingerprints</c>.
/// </summary>
public static class SarifWriter
{
    public static void Write(LintReport report, Stream stream)
    {
        var rules = RuleCatalog.All;
        var index = rules.Select((r, i) => (r.Id, i)).ToDictionary(p => p.Id, p => p.i);
        var sarifRules = rules.Select(rule => new SarifRule(rule.Id, rule.Title)
        {
            Name = rule.BuildkitCheck ?? rule.HadolintId ?? rule.Id,
            FullDescription = rule.Why,
            HelpText = $"{rule.Why} {rule.Fix}",
            HelpMarkdown = rule.Documentation,
            DefaultLevel = Level(rule.Severity),
            Properties = [new("hadolintId", rule.HadolintId), new("buildkitCheck", rule.BuildkitCheck)],
        });
        var results = report.Findings.Select(f => new SarifResult(f.RuleId, Level(f.Severity), f.Message, Uri(f.File))
        {
            RuleIndex = index.TryGetValue(f.RuleId, out var i) ? i : null,
            Region = new SarifRegion(Math.Max(1, f.Line))
            {
                StartColumn = Math.Max(1, f.Column),
                EndLine = Math.Max(Math.Max(1, f.Line), f.EndLine),
                EndColumn = Math.Max(1, f.EndColumn),
            },
            PartialFingerprints = f.Fingerprint is { } fingerprint ? [new(FindingFingerprints.Key, fingerprint)] : null,
        });
        SarifLog.Write(stream, ParseJsonWriter.Options, sarifRules, results);
    }

    private static string Level(Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "note",
    };

    private static string Uri(string file) => file.Replace('\\', '/');
}
