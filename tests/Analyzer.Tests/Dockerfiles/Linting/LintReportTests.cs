using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Dockerfiles.Linting.Reports;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Tests.Reports;

namespace LayerLens.Analyzer.Tests.Dockerfiles.Linting;

public class LintReportTests
{
    private static LintReport Report()
    {
        var report = new LintReport { FailureThreshold = Severity.Warning };
        report.Files.Add("dir/Dockerfile");
        report.Findings.AddRange(Linter.Lint(DockerfileDocument.Parse("FROM debian\nRUN apt-get update\nENV A 1\n"), new LintOptions(), "dir/Dockerfile"));
        return report;
    }

    private static string Write(LintReport report, string format)
    {
        using var ms = new MemoryStream();
        LintReportWriters.Write(report, format, ms);
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    [Fact]
    public void Sarif_output_validates_against_the_official_2_1_0_schema()
    {
        var report = Report();
        Assert.NotEmpty(report.Findings);

        var text = Write(report, "sarif");
        SarifSchema.AssertValid(text);
        var sarif = JsonNode.Parse(text);
        var results = sarif!["runs"]![0]!["results"]!.AsArray();
        Assert.Equal(report.Findings.Count, results.Count);
        Assert.Equal(2, (int)results.First(r => (string)r!["ruleId"]! == "LL-1002")!["locations"]![0]!["physicalLocation"]!["region"]!["startLine"]!);
        // informationUri is optional; the placeholder address named no real repository.
        Assert.Null(sarif["runs"]![0]!["tool"]!["driver"]!["informationUri"]);
    }

    [Fact]
    public void Json_output_has_schema_version_findings_with_ids_and_verdict()
    {
        using var json = JsonDocument.Parse(Write(Report(), "json"));
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        var legacy = root.GetProperty("findings").EnumerateArray().First(f => f.GetProperty("ruleId").GetString() == "LL-5009");
        Assert.Equal("LegacyKeyValueFormat", legacy.GetProperty("buildkitCheck").GetString());
        Assert.Equal(JsonValueKind.Null, legacy.GetProperty("hadolintId").ValueKind);
        Assert.Equal(3, legacy.GetProperty("line").GetInt32());
        Assert.Equal(1, legacy.GetProperty("column").GetInt32());
        Assert.Equal("dir/Dockerfile", legacy.GetProperty("file").GetString());
        Assert.False(root.GetProperty("verdict").GetProperty("passed").GetBoolean());
        Assert.NotEmpty(root.GetProperty("verdict").GetProperty("failures").EnumerateArray());
    }

    [Fact]
    public void Junit_and_checkstyle_are_well_formed_xml_naming_each_finding()
    {
        var report = Report();
        var junit = XDocument.Parse(Write(report, "junit"));
        Assert.Equal(report.Findings.Count, junit.Descendants("testcase").Count());
        Assert.Equal(report.Failures.Count(), junit.Descendants("failure").Count());

        var checkstyle = XDocument.Parse(Write(report, "checkstyle"));
        Assert.Equal(report.Findings.Count, checkstyle.Descendants("error").Count());
        Assert.Contains(checkstyle.Descendants("error"), e => (string?)e.Attribute("source") == "LayerLens.LL-1002" && (string?)e.Attribute("line") == "2");
    }

    [Fact]
    public void Markdown_and_table_list_every_finding()
    {
        var report = Report();
        var markdown = Write(report, "markdown");
        var table = Write(report, "table");
        foreach (var f in report.Findings)
        {
            Assert.Contains(f.RuleId, markdown, StringComparison.Ordinal);
            Assert.Contains($"dir/Dockerfile:{f.Line}:{f.Column}", table, StringComparison.Ordinal);
        }
        Assert.Contains("failed", markdown, StringComparison.Ordinal);
    }
}
