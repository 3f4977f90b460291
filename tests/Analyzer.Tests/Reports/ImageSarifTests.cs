using System.Text.Json.Nodes;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Reports;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Analyzer.Tests.Reports;

/// <summary>The image report's SARIF: valid, and pointing at the Dockerfile the CI named when it named one.</summary>
public sealed class ImageSarifTests : IDisposable
{
    // The scenario's history: layer 0 "FROM base", ENV (empty), layer 1 "RUN change", layer 2 "COPY . /".
    private const string Dockerfile = "FROM base\nENV A=1\n# the change\nRUN change\nCOPY . /\n";
    private const int RunLine = 4;
    private const int CopyLine = 5;

    private readonly TempDir _temp = new();

    private async Task<ImageAnalysis> AnalyseScenarioAsync()
    {
        var archive = Path.Combine(_temp.Path, "scenario.tar");
        ScenarioImage.Create().WriteDockerArchiveClassic(archive);
        return await AnalyzeHelper.AnalyzeAsync(archive);
    }

    private static JsonNode Write(ImageAnalysis analysis, Verdict verdict, SarifDockerfile? dockerfile)
    {
        using var output = new MemoryStream();
        new SarifReportWriter(dockerfile).Write(analysis, verdict, output);
        var text = System.Text.Encoding.UTF8.GetString(output.ToArray());
        SarifSchema.AssertValid(text);
        return JsonNode.Parse(text)!;
    }

    private static IEnumerable<JsonNode> Results(JsonNode sarif) => sarif["runs"]![0]!["results"]!.AsArray().Select(r => r!);

    private static JsonNode Location(JsonNode result) => result["locations"]![0]!["physicalLocation"]!;

    [Fact]
    public async Task Without_a_dockerfile_path_results_name_the_image_and_the_driver_has_no_placeholder_address()
    {
        var analysis = await AnalyseScenarioAsync();
        var sarif = Write(analysis, CiRules.DiveDefaults.Evaluate(analysis), null);

        Assert.Null(sarif["runs"]![0]!["tool"]!["driver"]!["informationUri"]);
        Assert.NotEmpty(Results(sarif));
        Assert.All(Results(sarif), r => Assert.Equal(analysis.Reference, (string?)Location(r)["artifactLocation"]!["uri"]));
    }

    [Fact]
    public async Task With_the_dockerfile_text_waste_points_at_the_instruction_that_made_the_bytes_dead()
    {
        var analysis = await AnalyseScenarioAsync();
        var sarif = Write(analysis, Verdict.None, new SarifDockerfile("build/app/Dockerfile", Dockerfile));

        var waste = Results(sarif).Where(r => ((string)r["ruleId"]!).StartsWith("waste/", StringComparison.Ordinal)).ToList();
        // The scenario's deletions and overwrites happen in layer 1 (RUN) and its etc/config rewrite in layer 2 (COPY).
        Assert.Contains(waste, r => (int)r["properties"]!["causeLayer"]! == 1);
        Assert.Contains(waste, r => (int)r["properties"]!["causeLayer"]! == 2);
        foreach (var result in waste)
        {
            var cause = (int)result["properties"]!["causeLayer"]!;
            var expected = cause switch { 1 => RunLine, 2 => CopyLine, _ => 1 };
            Assert.Equal("build/app/Dockerfile", (string?)Location(result)["artifactLocation"]!["uri"]);
            Assert.Equal(expected, (int)Location(result)["region"]!["startLine"]!);
            Assert.Equal(analysis.Reference, (string?)result["properties"]!["image"]);
            Assert.Contains(analysis.Reference, (string)result["message"]!["text"]!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task With_only_the_path_every_result_points_at_line_1_of_that_dockerfile()
    {
        var analysis = await AnalyseScenarioAsync();
        var verdict = (CiRules.DiveDefaults with { HighestWastedBytes = 1 }).Evaluate(analysis);
        Assert.False(verdict.Passed);

        var sarif = Write(analysis, verdict, new SarifDockerfile("Dockerfile"));

        Assert.Contains(Results(sarif), r => (string?)r["level"] == "error");
        Assert.All(Results(sarif), r =>
        {
            Assert.Equal("Dockerfile", (string?)Location(r)["artifactLocation"]!["uri"]);
            Assert.Equal(1, (int)Location(r)["region"]!["startLine"]!);
            Assert.Equal(analysis.Reference, (string?)r["properties"]!["image"]);
        });
    }

    public void Dispose() => _temp.Dispose();
}
