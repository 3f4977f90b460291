using LayerLens.TestInfrastructure.Processes;

namespace LayerLens.TestInfrastructure.Tests.Processes;

public class ProcessRunnerTests
{
    [Fact]
    public async Task Arguments_are_passed_verbatim_and_stdout_is_captured()
    {
        var result = await ProcessRunner.RunAsync("printf", "%s|%s", "two words", "it's");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("two words|it's", result.StandardOutput.TrimEnd('\n'));
    }

    [Fact]
    public async Task A_failing_command_throws_with_its_command_line_and_stderr()
    {
        var error = await Assert.ThrowsAsync<ProcessFailedException>(() =>
            ProcessRunner.RunAsync("sh", "-c", "echo broken pipe dream >&2; exit 3"));

        Assert.Equal(3, error.ExitCode);
        Assert.Contains("broken pipe dream", error.Message, StringComparison.Ordinal);
        Assert.Contains("sh -c", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_zero_exit_is_returned_when_checking_is_off()
    {
        var result = await ProcessRunner.RunAsync("sh", ["-c", "exit 4"], new ProcessOptions { CheckExitCode = false });

        Assert.Equal(4, result.ExitCode);
    }

    [Fact]
    public async Task A_command_that_outlives_its_timeout_is_killed_and_reported()
    {
        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<ProcessFailedException>(() =>
            ProcessRunner.RunAsync("sleep", ["30"], new ProcessOptions { Timeout = TimeSpan.FromMilliseconds(300) }));

        Assert.Contains("Timed out", error.Message, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_missing_program_fails_with_its_name()
    {
        var error = await Assert.ThrowsAsync<ProcessFailedException>(() => ProcessRunner.RunAsync("no-such-tool-layerlens"));

        Assert.Contains("no-such-tool-layerlens", error.Message, StringComparison.Ordinal);
    }
}
