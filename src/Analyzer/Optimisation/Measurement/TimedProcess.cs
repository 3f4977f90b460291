using System.Diagnostics;

namespace LayerLens.Analyzer.Optimisation.Measurement;

/// <summary>A finished process: exit code, output lines with the second each arrived, and wall time.</summary>
public sealed record TimedOutput(int ExitCode, IReadOnlyList<(double At, string Line)> Lines, double Seconds, bool TimedOut)
{
    public string Tail(int lines = 20) => string.Join('\n', Lines.TakeLast(lines).Select(l => l.Line));
}

/// <summary>Runs a command with an argument list, timestamps each output line, and kills the tree on timeout.</summary>
public static class TimedProcess
{
    public const int MaxLines = 100_000;

    /// <param name="environment">When given, the child's whole environment (nothing of this process's is inherited).</param>
    public static async Task<TimedOutput> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (environment is not null)
        {
            psi.Environment.Clear();
            foreach (var (name, value) in environment)
            {
                psi.Environment[name] = value;
            }
        }
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        var lines = new List<(double, string)>();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = psi };
        void OnLine(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }
            lock (lines)
            {
                if (lines.Count < MaxLines)
                {
                    lines.Add((clock.Elapsed.TotalSeconds, e.Data));
                }
            }
        }
        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = !cancellationToken.IsCancellationRequested;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
        }
        process.WaitForExit();
        var seconds = clock.Elapsed.TotalSeconds;
        lock (lines)
        {
            return new TimedOutput(timedOut ? -1 : process.ExitCode, [.. lines.OrderBy(l => l.Item1)], seconds, timedOut);
        }
    }
}
