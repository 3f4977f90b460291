using System.Diagnostics;
using Xunit;

namespace LayerLens.TestInfrastructure.Git;

/// <summary>
/// git as a test's own setup runs it: no system or global configuration (the machine's cannot change a result),
/// output returned, and a failure fails the test naming the command and git's error.
/// </summary>
public static class TestGit
{
    public static string Run(string directory, params string[] args) => RunWithInput(directory, null, args);

    public static string RunWithInput(string directory, string? input, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null, WorkingDirectory = directory };
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        psi.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
        return output;
    }
}
