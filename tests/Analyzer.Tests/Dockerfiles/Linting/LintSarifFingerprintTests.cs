using System.Text.Json.Nodes;
using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Dockerfiles.Linting.Reports;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Tests.Reports;

namespace LayerLens.Analyzer.Tests.Dockerfiles.Linting;

/// <summary>Plain lint SARIF carries each finding's line-independent fingerprint, so code scanning tracks it across moves.</summary>
public sealed class LintSarifFingerprintTests
{
    [Fact]
    public void Every_lint_result_has_a_partial_fingerprint_that_survives_moving_its_line()
    {
        const string text = "FROM debian\nRUN apt-get update\nENV A 1\n";

        var here = Fingerprints(text);
        var moved = Fingerprints("# a comment\n\n" + text);

        Assert.NotEmpty(here);
        Assert.All(here, f => Assert.Matches("^[0-9a-f]{32}$", f));
        Assert.Equal(here, moved);
    }

    private static List<string> Fingerprints(string text)
    {
        var report = new LintReport();
        report.Files.Add("Dockerfile");
        report.Findings.AddRange(Linter.Lint(DockerfileDocument.Parse(text), new LintOptions(), "Dockerfile"));
        using var buffer = new MemoryStream();
        LintReportWriters.Write(report, "sarif", buffer);
        var sarif = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        SarifSchema.AssertValid(sarif);
        return [.. JsonNode.Parse(sarif)!["runs"]![0]!["results"]!.AsArray().Select(r => (string)r!["partialFingerprints"]![FindingFingerprints.Key]!)];
    }
}
