using System.Diagnostics;

namespace LayerLens.Cli.Tests;

/// <summary>Runs the built <c>layerlens</c> as a separate process, the way CI calls it.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed);

    public static string RepoRoot { get; } = FindRoot();

    public static string Shared(params string[] parts) => Path.Combine([Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared")), .. parts]);

    public static Result Run(params string[] args) => RunIn(null, args);

    /// <summary>Runs with <paramref name="workingDirectory"/> as the current directory (null: the test's own).</summary>
    public static Result RunIn(string? workingDirectory, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "layerlens.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory != null)
        {
            psi.WorkingDirectory = workingDirectory;
        }
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        var sw = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("layerlens " + string.Join(' ', args) + " did not finish in 60 s");
        }
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result, sw.Elapsed);
    }

    public static string TempFile(string name, byte[] content)
    {
        var dir = Path.Combine(Path.GetTempPath(), "layerlens-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public static string TempFile(string name, string content) => TempFile(name, System.Text.Encoding.UTF8.GetBytes(content));

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Analyzer.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Analyzer.sln not found");
    }
}
