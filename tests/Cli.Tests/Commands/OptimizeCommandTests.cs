using System.Text.Json;
using System.Text.Json.Nodes;

namespace LayerLens.Cli.Tests.Commands;

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
        // Base images for --measure come from local sources only.
        var remoteBase = CliRunner.Run("optimize", dockerfile, "--measure", "--base", "node:22=docker://node:22");
        Assert.Equal(2, remoteBase.ExitCode);
        Assert.Contains("never pulls from a registry", remoteBase.Stderr, StringComparison.Ordinal);
        var noName = CliRunner.Run("optimize", dockerfile, "--measure", "--base", "oci:/images/node");
        Assert.Equal(2, noName.ExitCode);
        Assert.Contains("NAME=SOURCE", noName.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Image_history_timestamps_give_step_durations_that_the_cost_model_and_the_moves_use()
    {
        var dockerfile = CliRunner.TempFile("Dockerfile",
            "FROM scratch\nWORKDIR /srv\nCOPY site ./site\nRUN mkdir -p /opt/toolchain && sleep 40 && echo ready > /opt/toolchain/state\nCMD [\"ls\"]\n");
        var dir = Path.GetDirectoryName(dockerfile)!;
        Directory.CreateDirectory(Path.Combine(dir, "site"));
        File.WriteAllText(Path.Combine(dir, "site", "index.html"), "<p>hi</p>\n");
        // The image built from it, as buildah records it: each entry created when its step was committed.
        var start = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        JsonObject Entry(string createdBy, double at, bool empty) => new()
        {
            ["created"] = start.AddSeconds(at).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            ["created_by"] = createdBy,
            ["empty_layer"] = empty,
        };
        var image = Path.Combine(dir, "image");
        TinyImage.Write(image, history: new JsonArray(
            Entry("/bin/sh -c #(nop) WORKDIR /srv", 0, true),
            Entry("/bin/sh -c #(nop) COPY dir:0a1b2c in ./site", 1.5, false),
            Entry("/bin/sh -c mkdir -p /opt/toolchain && sleep 40 && echo ready > /opt/toolchain/state", 1.5 + 42, false),
            Entry("/bin/sh -c #(nop) CMD [\"ls\"]", 1.5 + 42 + 0.25, true)));

        var result = CliRunner.Run("optimize", dockerfile, "--context", dir, "--image", "oci:" + image, "--format", "json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var expected = json.RootElement.GetProperty("expected");
        Assert.Equal("image history", expected.GetProperty("durations").GetString());
        var steps = expected.GetProperty("originalSteps").EnumerateArray().ToDictionary(s => s.GetProperty("line").GetInt32(), s => s.GetProperty("seconds").GetDouble());
        // A site edit re-runs lines 3-5 in the original; their shares keep the ratio of the history's deltas.
        Assert.Equal(42 / 1.5, steps[4] / steps[3], 2);
        Assert.Equal(0.25 / 1.5, steps[5] / steps[3], 2);
        // 42 s of RUN is worth moving the COPY below it.
        Assert.Contains(json.RootElement.GetProperty("changes").EnumerateArray(), c => c.GetProperty("kind").GetString() == "move-copy" && c.GetProperty("line").GetInt32() == 3);
        Assert.True(expected.GetProperty("recommendedSeconds").GetDouble() < expected.GetProperty("originalSeconds").GetDouble());

        var missing = CliRunner.Run("optimize", dockerfile, "--image", "oci:" + Path.Combine(dir, "no-such-image"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no-such-image", missing.Stderr, StringComparison.Ordinal);
    }
}
