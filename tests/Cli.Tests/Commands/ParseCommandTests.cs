using System.Text;
using System.Text.Json;

namespace LayerLens.Cli.Tests.Commands;

public class ParseCommandTests
{
    [Fact]
    public void Buildkit_format_reproduces_every_conformance_result_byte_for_byte()
    {
        var root = CliRunner.Shared("conformance", "buildkit-parser", "testfiles");
        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            var result = CliRunner.Run("parse", Path.Combine(dir, "Dockerfile"), "--format", "buildkit");
            Assert.Equal(0, result.ExitCode);
            Assert.Equal(File.ReadAllText(Path.Combine(dir, "result")), result.Stdout);
        }
    }

    [Fact]
    public void Json_format_lists_instructions_with_lines_flags_args_stage_and_heredocs()
    {
        var path = CliRunner.TempFile("Dockerfile", "ARG V=1\nFROM alpine AS base\nRUN --mount=type=cache,target=/var/cache/apk \\\n    apk add curl\nCOPY <<EOF /etc/motd\nhello\nEOF\nCMD [\"sh\"]\n");

        var result = CliRunner.Run("parse", path, "--format", "json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var instructions = json.RootElement.GetProperty("instructions");
        Assert.Equal(["ARG", "FROM", "RUN", "COPY", "CMD"], instructions.EnumerateArray().Select(i => i.GetProperty("keyword").GetString()));
        var run = instructions[2];
        Assert.Equal(3, run.GetProperty("startLine").GetInt32());
        Assert.Equal(4, run.GetProperty("endLine").GetInt32());
        Assert.Equal("--mount=type=cache,target=/var/cache/apk", run.GetProperty("flags")[0].GetString());
        Assert.Equal("apk add curl", run.GetProperty("args")[0].GetString());
        Assert.Equal(0, run.GetProperty("stage").GetInt32());
        Assert.Equal(JsonValueKind.Null, instructions[0].GetProperty("stage").ValueKind);
        var heredoc = instructions[3].GetProperty("heredocs")[0];
        Assert.Equal("EOF", heredoc.GetProperty("name").GetString());
        Assert.Equal("hello\n", heredoc.GetProperty("content").GetString());
        Assert.Equal(7, instructions[3].GetProperty("endLine").GetInt32());
        Assert.True(instructions[4].GetProperty("json").GetBoolean());
        Assert.False(run.GetProperty("json").GetBoolean());
    }

    [Fact]
    public void Missing_file_and_unknown_format_exit_2()
    {
        Assert.Equal(2, CliRunner.Run("parse", "/nonexistent/Dockerfile").ExitCode);
        var path = CliRunner.TempFile("Dockerfile", "FROM a\n");
        Assert.Equal(2, CliRunner.Run("parse", path, "--format", "yaml").ExitCode);
    }
}
