using System.Text;

namespace LayerLens.Cli.Tests.Commands;

/// <summary>Hostile files: each gives exit 2 naming the line, or parses, within bounded time; never a crash or hang.</summary>
public class HostileInputTests
{
    // A guard against hangs and super-linear blow-ups (which take minutes to hours at these sizes),
    // not a speed target: the suite shares two cores with builds, so it stays generous. Speed is
    // measured by infra/bench/lint/bench-lint.sh.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(120);

    private static void AssertRejected(CliRunner.Result result, string fragment)
    {
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(fragment, result.Stderr, StringComparison.Ordinal);
        Assert.True(result.Elapsed < HangGuard, result.Elapsed.ToString());
    }

    [Fact]
    public void Binary_file_is_rejected_naming_the_line()
    {
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        bytes[0] = (byte)'F';
        bytes[10] = 0;
        AssertRejected(CliRunner.Run("parse", CliRunner.TempFile("Dockerfile", bytes)), "NUL byte");
    }

    [Fact]
    public void Ten_megabyte_line_is_rejected_by_the_buildkit_line_limit()
    {
        var text = "FROM a\nRUN echo " + new string('x', 10 * 1024 * 1024) + "\n";
        AssertRejected(CliRunner.Run("parse", CliRunner.TempFile("Dockerfile", text)), ":2: dockerfile line greater than max allowed size of 65535");
    }

    [Fact]
    public void Unterminated_heredoc_is_rejected_naming_its_line()
    {
        AssertRejected(CliRunner.Run("parse", CliRunner.TempFile("Dockerfile", "FROM a\nRUN <<EOF\necho hi\n")), ":2: unterminated heredoc");
    }

    [Fact]
    public void Invalid_utf8_is_rejected_naming_the_line()
    {
        var bytes = Encoding.UTF8.GetBytes("FROM a\nRUN echo \n").Concat(new byte[] { 0xC3, 0x28, (byte)'\n' }).ToArray();
        AssertRejected(CliRunner.Run("parse", CliRunner.TempFile("Dockerfile", bytes)), ":3: invalid UTF-8");
    }

    [Fact]
    public void Deeply_nested_json_parses_without_overflowing_the_stack()
    {
        // Deeper than Go's 10,000 limit: BuildKit treats it as invalid JSON and falls back to the shell form.
        var deep = "FROM a\nCMD " + new string('[', 30_000) + new string(']', 30_000) + "\n";
        var deepResult = CliRunner.Run("parse", CliRunner.TempFile("Dockerfile", deep), "--format", "buildkit");
        Assert.Equal(0, deepResult.ExitCode);
        Assert.StartsWith("(from \"a\")\n(cmd \"[[[", deepResult.Stdout, StringComparison.Ordinal);

        // Within the limit it is valid JSON holding a non-string: BuildKit's error.
        var nested = "FROM a\nCMD [" + new string('[', 5_000) + new string(']', 5_000) + "]\n";
        AssertRejected(CliRunner.Run("parse", CliRunner.TempFile("Dockerfile", nested)), "arrays must be comprised of strings only");
    }

    [Fact]
    public void Hundred_thousand_instructions_parse_in_bounded_time()
    {
        var sb = new StringBuilder("FROM alpine\n");
        for (var i = 0; i < 100_000; i++)
        {
            sb.Append("RUN echo ").Append(i).Append(" \\\n  && true\n");
        }
        var result = CliRunner.Run("parse", CliRunner.TempFile("Dockerfile", sb.ToString()), "--format", "buildkit");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(100_001, result.Stdout.Count(c => c == '\n'));
        Assert.True(result.Elapsed < HangGuard, result.Elapsed.ToString());
    }

    [Fact]
    public void Linting_a_hundred_thousand_instructions_stays_linear()
    {
        // Patterns that would be quadratic with naive lookups: files created then removed, copies then chmod,
        // many stages referring to earlier ones, pragmas, empty continuations.
        var sb = new StringBuilder("ARG BASE=alpine:3.20\n");
        for (var i = 0; i < 12_500; i++)
        {
            sb.Append(i % 2 == 0 ? $"FROM ${{BASE}} AS s{i}\n" : $"FROM s{i - 1} AS s{i}\n");
            sb.Append($"COPY --from=s{Math.Max(0, i - 1)} f{i} /app/f{i}\n");
            sb.Append($"RUN curl -o /tmp/x{i} https://example.com/{i} && chmod +x /app/f{i}\n");
            sb.Append($"# hadolint ignore=DL3059\nRUN rm -f /tmp/x{i - 1} /app \\\n\n  && echo | cat\n");
            sb.Append($"ENV E{i}=$E{i - 1}\n");
            sb.Append("RUN true\nRUN true\n");
        }
        var result = CliRunner.Run("lint", CliRunner.TempFile("Dockerfile", sb.ToString()), "--format", "json");
        Assert.Equal(1, result.ExitCode);
        Assert.True(result.Elapsed < HangGuard, result.Elapsed.ToString());
    }
}
