using System.Text.Json;
using System.Xml.Linq;

namespace LayerLens.Cli.Tests.Commands;

public sealed class AnalyzeCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "layerlens-cli-tests", Guid.NewGuid().ToString("N"));

    public AnalyzeCommandTests()
    {
        Directory.CreateDirectory(_dir);
        TinyImage.Write(Path.Combine(_dir, "image"));
    }

    private string Image => "oci:" + Path.Combine(_dir, "image");

    private Task<LayerLensProcess.Result> RunAsync(params string[] args) => LayerLensProcess.RunAsync(_dir, null, args);

    [Fact]
    public async Task Json_report_has_the_schema_v1_fields_and_exact_numbers()
    {
        var r = await RunAsync("analyze", Image, "--format", "json");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stderr); // no progress bar when stderr is not a terminal
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        var image = root.GetProperty("image");
        Assert.Equal(Image, image.GetProperty("reference").GetString());
        Assert.StartsWith("sha256:", image.GetProperty("digest").GetString());
        Assert.Equal("linux/amd64", image.GetProperty("platform").GetString());
        Assert.True(image.GetProperty("compressedSizeBytes").GetInt64() > 0);
        Assert.Equal(2500, image.GetProperty("sizeBytes").GetInt64());
        Assert.Equal(1500, image.GetProperty("finalBytes").GetInt64());
        Assert.Equal(2, image.GetProperty("fileCount").GetInt32());

        var layers = root.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(2, layers.Count);
        foreach (var field in new[] { "index", "digest", "diffId", "compressedSizeBytes", "sizeBytes", "createdBy", "added", "modified", "removed" })
        {
            Assert.All(layers, l => Assert.True(l.TryGetProperty(field, out _), field));
        }
        Assert.Equal((2000, 2, 0, 0), (layers[0].GetProperty("sizeBytes").GetInt64(), layers[0].GetProperty("added").GetInt32(), layers[0].GetProperty("modified").GetInt32(), layers[0].GetProperty("removed").GetInt32()));
        Assert.Equal((500, 1, 0, 1), (layers[1].GetProperty("sizeBytes").GetInt64(), layers[1].GetProperty("added").GetInt32(), layers[1].GetProperty("modified").GetInt32(), layers[1].GetProperty("removed").GetInt32()));
        Assert.Equal("RUN rm a && make c", layers[1].GetProperty("createdBy").GetString());

        var efficiency = root.GetProperty("efficiency");
        Assert.Equal(0.6, efficiency.GetProperty("score").GetDouble(), 12);
        Assert.Equal(1000, efficiency.GetProperty("wastedBytes").GetInt64());
        Assert.Equal(0, efficiency.GetProperty("duplicateBytes").GetInt64());

        var waste = Assert.Single(root.GetProperty("waste").EnumerateArray());
        Assert.Equal(("deleted", "a", 1000L, 0, 1), (waste.GetProperty("kind").GetString(), waste.GetProperty("path").GetString(), waste.GetProperty("bytes").GetInt64(), waste.GetProperty("layerIndex").GetInt32(), waste.GetProperty("causeLayerIndex").GetInt32()));
        Assert.Equal(0, root.GetProperty("findings").GetArrayLength());
        Assert.True(root.GetProperty("verdict").GetProperty("passed").GetBoolean());
        Assert.Equal(0, root.GetProperty("verdict").GetProperty("failures").GetArrayLength());
    }

    [Fact]
    public async Task Ci_mode_with_dive_defaults_fails_with_exit_1_and_lists_the_failures()
    {
        // Defaults: lowestEfficiency 0.9 (0.6 fails), highestUserWastedPercent 0.1 (2.0 fails).
        var r = await LayerLensProcess.RunAsync(_dir, new Dictionary<string, string?> { ["CI"] = "true" }, "analyze", Image, "--format", "json");

        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var verdict = doc.RootElement.GetProperty("verdict");
        Assert.False(verdict.GetProperty("passed").GetBoolean());
        Assert.Equal(["lowestEfficiency", "highestUserWastedPercent"], verdict.GetProperty("failures").EnumerateArray().Select(f => f.GetProperty("rule").GetString()));
    }

    [Fact]
    public async Task Dive_ci_file_rules_with_sizes_and_disabled_rules_pass()
    {
        File.WriteAllText(Path.Combine(_dir, ".dive-ci"), "rules:\n  lowestEfficiency: 0.5\n  highestWastedBytes: 2KB\n  highestUserWastedPercent: disabled\n");

        var r = await RunAsync("analyze", Image, "--ci", "--format", "junit");

        Assert.Equal(0, r.ExitCode);
        var suite = XDocument.Parse(r.Stdout).Root!.Element("testsuite")!;
        Assert.Equal("2", suite.Attribute("tests")!.Value);
        Assert.Equal("0", suite.Attribute("failures")!.Value);
    }

    [Fact]
    public async Task Wasted_bytes_over_a_dive_size_fail()
    {
        File.WriteAllText(Path.Combine(_dir, ".dive-ci"), "rules:\n  lowestEfficiency: off\n  highestWastedBytes: 999B\n  highestUserWastedPercent: off\n");

        var r = await RunAsync("analyze", Image, "--ci", "--format", "sarif");

        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var results = doc.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
        var error = Assert.Single(results, x => x.GetProperty("level").GetString() == "error");
        Assert.Equal("ci/highestWastedBytes", error.GetProperty("ruleId").GetString());
    }

    [Fact]
    public async Task Layerlens_yaml_thresholds_apply()
    {
        var config = Path.Combine(_dir, "layerlens.yaml");
        File.WriteAllText(config, "rules:\n  lowestEfficiency: off\n  highestUserWastedPercent: off\nthresholds:\n  minEfficiency: 0.7\n  maxWastedBytes: 1MB\n  maxDuplicateBytes: 0\n");

        var r = await RunAsync("analyze", Image, "--ci-config", config, "--format", "json");

        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var failure = Assert.Single(doc.RootElement.GetProperty("verdict").GetProperty("failures").EnumerateArray());
        Assert.Equal("minEfficiency", failure.GetProperty("rule").GetString());
    }

    [Fact]
    public async Task A_layerlens_yaml_shared_with_the_linter_override_section_is_read_and_an_unknown_rule_id_is_named()
    {
        var config = Path.Combine(_dir, "layerlens.yaml");
        File.WriteAllText(config, "override:\n  error: [DL3008]\n  info: [DL3007]\nignored: [DL3006]\nrules:\n  lowestEfficiency: off\n  highestUserWastedPercent: off\n");

        var accepted = await RunAsync("analyze", Image, "--ci", "--format", "json");

        Assert.Equal(0, accepted.ExitCode);

        File.WriteAllText(config, "override:\n  error: [DL3008, DL9999]\n");
        var refused = await RunAsync("analyze", Image, "--ci");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("layerlens.yaml: override.error: unknown lint rule 'DL9999'", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_ci_file_is_bad_input()
    {
        File.WriteAllText(Path.Combine(_dir, ".dive-ci"), "rules:\n  lowestEfficiency: 1.5\n");

        var r = await RunAsync("analyze", Image, "--ci");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("lowestEfficiency", r.Stderr);
    }

    [Fact]
    public async Task Every_format_writes_to_the_output_file()
    {
        foreach (var format in new[] { "table", "markdown", "dive-json" })
        {
            var file = Path.Combine(_dir, "report." + format);
            var r = await RunAsync("analyze", Image, "--format", format, "--output", file);
            Assert.Equal(0, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.True(new FileInfo(file).Length > 0, format);
        }
        using var dive = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "report.dive-json")));
        Assert.Equal(1000, dive.RootElement.GetProperty("image").GetProperty("inefficientBytes").GetInt64());
        Assert.Equal(2500, dive.RootElement.GetProperty("image").GetProperty("sizeBytes").GetInt64());
        Assert.Equal("RUN rm a && make c", dive.RootElement.GetProperty("layer")[1].GetProperty("command").GetString());
        Assert.Contains("| efficiency | 60.00% |", File.ReadAllText(Path.Combine(_dir, "report.markdown")));
    }

    [Fact]
    public async Task Hostile_image_is_exit_2_with_the_entry_named()
    {
        var bad = Path.Combine(_dir, "bad");
        TinyImage.Write(bad, extraEntry: "../../outside");

        var r = await RunAsync("analyze", "oci:" + bad);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("../../outside", r.Stderr);
        Assert.Contains("layer 0", r.Stderr);
    }

    [Theory]
    [InlineData("analyze", "/nonexistent/image.tar")]
    [InlineData("analyze", "IMAGE", "--format", "xml")]
    [InlineData("analyze", "IMAGE", "--platform", "linux")]
    public async Task Usage_and_missing_input_are_exit_2(params string[] args)
    {
        var r = await RunAsync(args.Select(a => a == "IMAGE" ? Image : a).ToArray());

        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("layerlens:", r.Stderr);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
