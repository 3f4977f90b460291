using System.Text;
using System.Text.Json;
using LayerLens.Analyzer.Reports;
using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.Analyzer.Tests.Analysis;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.Tests.Reports.Schema;

/// <summary>Schema v1 is one set of records: what the engine writes is exactly what a reader gets back.</summary>
public sealed class ReportSchemaTests
{
    private static async Task<(string Json, LayerLens.Analyzer.Analysis.ImageAnalysis Analysis)> WrittenAsync(TempDir temp)
    {
        var source = ScenarioAnalysisTests.Write(temp, ScenarioImage.Create(), "docker-archive-classic");
        var analysis = await AnalyzeHelper.AnalyzeAsync(source);
        // A reference with characters the default encoder escapes: the file keeps them escaped as it always did.
        analysis = analysis with { Reference = "café <img>" };
        var verdict = new Verdict([new RuleResult("highestWastedBytes", false, "2130", "1024", "wasted bytes 'over'")]);
        using var buffer = new MemoryStream();
        new JsonReportWriter().Write(analysis, verdict, buffer);
        return (Encoding.UTF8.GetString(buffer.ToArray()), analysis);
    }

    [Fact]
    public async Task An_image_report_reads_back_to_the_same_bytes_with_typed_waste_kinds()
    {
        using var temp = new TempDir();
        var (json, analysis) = await WrittenAsync(temp);

        var read = ReportJson.ParseImage(json);
        using var again = new MemoryStream();
        ReportJson.Write(read, again);

        Assert.Equal(json, Encoding.UTF8.GetString(again.ToArray()));
        Assert.Equal("café <img>", read.Image.Reference);
        Assert.Equal(analysis.Waste.Select(w => w.Kind), read.Waste.Select(w => w.Kind));
        Assert.Equal(ScenarioImage.DuplicateBytes, read.Efficiency.DuplicateBytes);
        Assert.False(read.Verdict.Passed);
    }

    [Fact]
    public async Task The_image_report_keeps_schema_v1s_shape()
    {
        using var temp = new TempDir();
        var (json, _) = await WrittenAsync(temp);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;

        Assert.Equal(["schemaVersion", "image", "layers", "efficiency", "waste", "findings", "verdict"], root.EnumerateObject().Select(p => p.Name));
        Assert.StartsWith("{\n  \"schemaVersion\": 1,\n  \"image\": {\n    \"reference\": \"caf\\u00E9 \\u003Cimg\\u003E\"", json, StringComparison.Ordinal);
        Assert.False(json.EndsWith('\n'));
        // Nulls of the image config are written; a waste item's originalPath only when it has one.
        Assert.Equal(JsonValueKind.Null, root.GetProperty("image").GetProperty("config").GetProperty("entrypoint").ValueKind);
        foreach (var item in root.GetProperty("waste").EnumerateArray())
        {
            var duplicate = item.GetProperty("kind").GetString() == "duplicate";
            Assert.Equal(duplicate, item.TryGetProperty("originalPath", out _));
        }
        Assert.Equal(["rule", "message", "actual", "threshold"], root.GetProperty("verdict").GetProperty("failures")[0].EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData(WasteKind.Overwritten, "overwritten")]
    [InlineData(WasteKind.MetadataOnly, "metadataOnly")]
    [InlineData(WasteKind.Deleted, "deleted")]
    [InlineData(WasteKind.Duplicate, "duplicate")]
    [InlineData(WasteKind.Junk, "junk")]
    public void Waste_kinds_are_written_and_read_by_their_report_names(WasteKind kind, string name)
    {
        var report = new ImageReport(1, new ReportImage("r", null, null, 0, 0, 0, 0, null), [], new ReportEfficiency(1, 0, 0),
            [new ReportWaste(kind, "/a", 1, 0, 0, 1, null)], [], new ReportVerdict(true, []));
        using var buffer = new MemoryStream();
        ReportJson.Write(report, buffer);
        var json = Encoding.UTF8.GetString(buffer.ToArray());

        Assert.Contains($"\"kind\": \"{name}\"", json, StringComparison.Ordinal);
        Assert.Equal(kind, ReportJson.ParseImage(json).Waste[0].Kind);
    }

    [Fact]
    public void An_unknown_waste_kind_is_refused_by_name()
    {
        const string json = """{"schemaVersion":1,"waste":[{"kind":"sparkly","path":"/a","bytes":1,"layerIndex":0,"causeLayerIndex":0,"files":1}]}""";

        var ex = Assert.Throws<JsonException>(() => ReportJson.ParseImage(json));

        Assert.Contains("sparkly", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_review_report_keeps_text_as_written_and_ends_with_a_newline()
    {
        var report = new ReviewReport(1, ReviewReport.DockerfileKind, new ReviewDockerfile("Dockerfile", "RUN echo 'é' <&>\n"), [],
            new ReviewVerdict(true, "none", []), null, [], "", "", false, null, new ReviewExpected(1.5, 1, "uniform", "defaults", [], []), null);

        var json = ReportJson.Write(report);

        Assert.Contains("\"text\": \"RUN echo 'é' <&>\\n\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"context\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"measured\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"rejectedDockerfile\"", json, StringComparison.Ordinal);
        Assert.EndsWith("}\n", json, StringComparison.Ordinal);
        Assert.Equal(report.Dockerfile, ReportJson.ParseReview(json).Dockerfile);
    }
}
