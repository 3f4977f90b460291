using System.Text.Json;

namespace LayerLens.Cli.Tests.Commands;

public class LintCommandTests
{
    [Fact]
    public void Clean_file_passes_with_exit_0()
    {
        var path = CliRunner.TempFile("Dockerfile", "FROM alpine:3.20\nRUN apk add --no-cache curl=8.9.1-r2\nUSER 10001\nCMD [\"curl\", \"--version\"]\n");
        var result = CliRunner.Run("lint", path);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("0 finding(s): passed", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Finding_at_the_threshold_exits_1_and_json_lists_it()
    {
        var path = CliRunner.TempFile("Dockerfile", "FROM alpine:3.20\nMAINTAINER me\n");
        var result = CliRunner.Run("lint", path, "--format", "json");
        Assert.Equal(1, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var finding = json.RootElement.GetProperty("findings")[0];
        Assert.Equal("LL-4000", finding.GetProperty("ruleId").GetString());
        Assert.Equal("DL4000", finding.GetProperty("hadolintId").GetString());
        Assert.Equal("MaintainerDeprecated", finding.GetProperty("buildkitCheck").GetString());
        Assert.Equal(2, finding.GetProperty("line").GetInt32());
    }

    [Fact]
    public void Config_threshold_decides_the_exit_code()
    {
        var path = CliRunner.TempFile("Dockerfile", "FROM alpine:3.20\nRUN echo a\nRUN echo b\n");
        Assert.Equal(1, CliRunner.Run("lint", path).ExitCode); // DL3059 is info, hadolint's default threshold
        var config = CliRunner.TempFile(".hadolint.yaml", "failure-threshold: warning\n");
        Assert.Equal(0, CliRunner.Run("lint", path, "--config", config).ExitCode);
        var badConfig = CliRunner.TempFile(".hadolint.yaml", "failure-threshold: [\n");
        Assert.Equal(2, CliRunner.Run("lint", path, "--config", badConfig).ExitCode);
    }

    [Fact]
    public void Relative_paths_are_read_from_the_current_directory()
    {
        var dir = Path.GetDirectoryName(CliRunner.TempFile("Dockerfile", "FROM alpine:3.20\nMAINTAINER me\n"))!;
        Directory.CreateDirectory(Path.Combine(dir, "svc"));
        File.WriteAllText(Path.Combine(dir, "svc", "Dockerfile"), "FROM alpine:3.20\nMAINTAINER you\n");
        File.WriteAllText(Path.Combine(dir, "lint.yaml"), "failure-threshold: none\n");

        // From another directory than the test's: a file, ./file, a directory and a config, all relative.
        var result = CliRunner.RunIn(Path.Combine(dir, "svc"), "lint", "Dockerfile", "./Dockerfile", "..", "--config", "../lint.yaml", "--format", "json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var files = json.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()).ToList();
        Assert.Equal(["Dockerfile", "./Dockerfile", Path.Combine("..", "Dockerfile"), Path.Combine("..", "svc", "Dockerfile")], files);
        Assert.Equal(4, json.RootElement.GetProperty("findings").GetArrayLength());
    }

    [Fact]
    public void Config_override_of_an_unknown_rule_exits_2_naming_file_line_and_id()
    {
        var path = CliRunner.TempFile("Dockerfile", "FROM alpine:3.20\nMAINTAINER me\n");
        var config = CliRunner.TempFile("layerlens.yaml", "override:\n  warning:\n    - DL4000\n    - DL4001x\n");

        var result = CliRunner.Run("lint", path, "--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{config}:4: override.warning: unknown lint rule 'DL4001x'", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public void Directories_are_searched_for_dockerfiles_and_each_file_is_reported()
    {
        var dir = Path.GetDirectoryName(CliRunner.TempFile("Dockerfile", "FROM alpine:3.20\nMAINTAINER me\n"))!;
        Directory.CreateDirectory(Path.Combine(dir, "svc"));
        File.WriteAllText(Path.Combine(dir, "svc", "api.Dockerfile"), "FROM alpine:3.20\nMAINTAINER you\n");
        File.WriteAllText(Path.Combine(dir, "svc", "Dockerfile.dev"), "FROM alpine:3.20\nMAINTAINER them\n");
        File.WriteAllText(Path.Combine(dir, "svc", "README.md"), "not a dockerfile");

        var result = CliRunner.Run("lint", dir, "--format", "json");

        using var json = JsonDocument.Parse(result.Stdout);
        var files = json.RootElement.GetProperty("files").EnumerateArray().Select(f => Path.GetFileName(f.GetString())).ToList();
        Assert.Equal(["Dockerfile", "Dockerfile.dev", "api.Dockerfile"], files.Order(StringComparer.Ordinal));
        Assert.Equal(3, json.RootElement.GetProperty("findings").GetArrayLength());
    }

    [Fact]
    public void Unparsable_or_missing_input_exits_2_naming_the_line()
    {
        var path = CliRunner.TempFile("Dockerfile", "FROM alpine:3.20\nCMD [\"a\", 1]\n");
        var result = CliRunner.Run("lint", path);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(":2: when using JSON array syntax", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, CliRunner.Run("lint", "/nonexistent/Dockerfile").ExitCode);
        Assert.Equal(2, CliRunner.Run("lint", path, "--format", "html").ExitCode);
    }

    [Theory]
    [InlineData("sarif", "\"version\": \"2.1.0\"")]
    [InlineData("markdown", "| File | Line |")]
    [InlineData("junit", "<testsuites")]
    [InlineData("checkstyle", "<checkstyle")]
    public void Every_format_is_available(string format, string marker)
    {
        var path = CliRunner.TempFile("Dockerfile", "FROM alpine\n");
        var result = CliRunner.Run("lint", path, "--format", format);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(marker, result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Sarif_carries_a_fingerprint_for_every_finding()
    {
        // The CLI computes fingerprints only for the format that writes them: SARIF must still get them.
        var path = CliRunner.TempFile("Dockerfile", "FROM alpine\nRUN apt-get update\nMAINTAINER me\n");

        var result = CliRunner.Run("lint", path, "--format", "sarif");

        using var json = JsonDocument.Parse(result.Stdout);
        var results = json.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
        Assert.True(results.Count >= 3, result.Stdout);
        Assert.All(results, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("partialFingerprints").EnumerateObject().Single().Value.GetString())));
    }
}
