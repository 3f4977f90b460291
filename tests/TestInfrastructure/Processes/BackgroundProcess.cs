using System.Diagnostics;
using System.Text;

namespace LayerLens.TestInfrastructure.Processes;

/// <summary>A server process owned by a fixture; disposing kills its process tree.</summary>
public sealed class BackgroundProcess : IDisposable
{
    private const int MaxKeptChars = 64 * 1024;
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private BackgroundProcess(Process process, string commandLine)
    {
        _process = process;
        CommandLine = commandLine;
    }

    public string CommandLine { get; }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>The last part of stdout and stderr interleaved, for error messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    internal static BackgroundProcess Start(ProcessStartInfo startInfo, string commandLine)
    {
        var process = new Process { StartInfo = startInfo };
        var background = new BackgroundProcess(process, commandLine);
        process.OutputDataReceived += (_, e) => background.Append(e.Data);
        process.ErrorDataReceived += (_, e) => background.Append(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new ProcessFailedException(commandLine, null, ex.Message, "Could not start");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        return background;
    }

    /// <summary>Throws with the process output when it has died, e.g. while a fixture waits for it to listen.</summary>
    public void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            throw new ProcessFailedException(CommandLine, _process.ExitCode, Output, "Server process exited early");
        }
    }

    public void Dispose()
    {
        ProcessRunner.Kill(_process);
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            if (_output.Length > MaxKeptChars)
            {
                _output.Remove(0, _output.Length - MaxKeptChars);
            }
        }
    }
}
