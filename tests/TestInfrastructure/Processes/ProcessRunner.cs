using System.Diagnostics;
using System.Text;

namespace LayerLens.TestInfrastructure.Processes;

/// <summary>
/// The one way fixtures run external tools (buildah, skopeo, initdb…): argument lists (no shell quoting),
/// a timeout that kills the whole process tree, captured output, and failures that name the command.
/// </summary>
public static class ProcessRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Runs a command to completion; throws <see cref="ProcessFailedException"/> on non-zero exit or timeout.</summary>
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        ProcessOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new ProcessOptions();
        var startInfo = CreateStartInfo(fileName, arguments, options);
        var commandLine = FormatCommandLine(startInfo);

        using var process = new Process { StartInfo = startInfo };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);

        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new ProcessFailedException(commandLine, null, ex.Message, "Could not start");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (options.StandardInput is { } input)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new ProcessFailedException(commandLine, null, Snapshot(stderr), $"Timed out after {options.Timeout ?? DefaultTimeout}");
        }

        // The parameterless wait drains the asynchronous output readers.
        process.WaitForExit();
        var result = new ProcessResult(commandLine, process.ExitCode, Snapshot(stdout), Snapshot(stderr));
        if (options.CheckExitCode && result.ExitCode != 0)
        {
            throw new ProcessFailedException(commandLine, result.ExitCode, result.StandardError, "Command failed");
        }

        return result;
    }

    public static Task<ProcessResult> RunAsync(string fileName, params string[] arguments) =>
        RunAsync(fileName, arguments, options: null);

    /// <summary>Starts a long-running server process whose output is kept (bounded) for diagnostics.</summary>
    public static BackgroundProcess Start(string fileName, IEnumerable<string> arguments, ProcessOptions? options = null)
    {
        options ??= new ProcessOptions();
        var startInfo = CreateStartInfo(fileName, arguments, options);
        return BackgroundProcess.Start(startInfo, FormatCommandLine(startInfo));
    }

    internal static string FormatCommandLine(ProcessStartInfo startInfo) =>
        string.Join(' ', new[] { startInfo.FileName }.Concat(startInfo.ArgumentList).Select(Quote));

    internal static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static ProcessStartInfo CreateStartInfo(string fileName, IEnumerable<string> arguments, ProcessOptions options)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = options.WorkingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in options.Environment)
        {
            startInfo.Environment[key] = value;
        }

        return startInfo;
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder buffer)
    {
        lock (buffer)
        {
            return buffer.ToString();
        }
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./:=@,+%".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
