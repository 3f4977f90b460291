using System.Text.Json;

namespace LayerLens.Cli.Tests;

public sealed class OptimizeCommandTests
{
    private static string Project()
    {
        var dockerfile = CliRunner.TempFile("Dockerfile",
            "FROM node:22\nWORKDIR /app\n# all sources\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"index.js\"]\n");
        var dir = Path.GetDirectoryName(dockerfile)!;
        File.WriteAllText(Path.Combine(dir, "package.json"), "{\"name\":\"app\"}\n");
        File.WriteAllText(Path.Combine(dir, "package-lock.json"), "{}\n");
        File.WriteAllText(Path.Combine(dir, "index.js"), "console.log(1)\n");
        return dockerfile;
    }

    [Fact]
    public void Json_report_carries_changes_the_recommended_dockerfile_a_unified_diff_and_expected_seconds()
    {
        var dockerfile = Project();
        var result = CliRunner.Run("optimize", dockerfile, "--context", Path.GetDirectoryName(dockerfile)!, "--format", "json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        var change = root.GetProperty("changes").EnumerateArray().First(c => c.GetProperty("kind").GetString() == "split-copy");
        Assert.Equal(4, change.GetProperty("line").GetInt32());
        Assert.False(string.IsNullOrEmpty(change.GetProperty("message").GetString()));
        var recommended = root.GetProperty("recommendedDockerfile").GetString()!;
        Assert.Contains("COPY package-lock.json package.json ./\nRUN npm ci\n# all sources\nCOPY . .\n", recommended, StringComparison.Ordinal);
        Assert.StartsWith("--- a/Dockerfile\n+++ b/Dockerfile\n@@ -", root.GetProperty("diff").GetString(), StringComparison.Ordinal);
        var expected = root.GetProperty("expected");
        Assert.True(expected.GetProperty("recommendedSeconds").GetDouble() < expected.GetProperty("originalSeconds").GetDouble());
        Assert.False(root.TryGetProperty("measured", out _));
    }

    [Fact]
    public void Markdown_and_table_formats_and_output_file()
    {
        var dockerfile = Project();
        var output = Path.Combine(Path.GetDirectoryName(dockerfile)!, "report.md");
        var md = CliRunner.Run("optimize", dockerfile, "--context", Path.GetDirectoryName(dockerfile)!, "--format", "markdown", "--output", output);
        Assert.Equal(0, md.ExitCode);
        var text = File.ReadAllText(output);
        Assert.Contains("| 4 | split-copy |", text, StringComparison.Ordinal);
        Assert.Contains("```diff\n", text, StringComparison.Ordinal);

        var table = CliRunner.Run("optimize", dockerfile);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("Expected rebuild per change", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_input_exits_2_with_a_message()
    {
        Assert.Equal(2, CliRunner.Run("optimize", "/nonexistent/Dockerfile").ExitCode);
        var dockerfile = Project();
        var badRuns = CliRunner.Run("optimize", dockerfile, "--runs", "0");
        Assert.Equal(2, badRuns.ExitCode);
        Assert.Contains("--runs", badRuns.Stderr, StringComparison.Ordinal);
        var missingContext = CliRunner.Run("optimize", dockerfile, "--context", "/nonexistent-context-dir");
        Assert.Equal(2, missingContext.ExitCode);
    }
}
