namespace LayerLens.TestInfrastructure.Processes;

/// <summary>A helper process failed; the message carries the command line and its stderr so a red test says why.</summary>
public sealed class ProcessFailedException : Exception
{
    public ProcessFailedException(string commandLine, int? exitCode, string standardError, string reason)
        : base($"{reason}: {commandLine}{Environment.NewLine}exit code: {(exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none")}{Environment.NewLine}stderr:{Environment.NewLine}{standardError}")
    {
        CommandLine = commandLine;
        ExitCode = exitCode;
        StandardError = standardError;
    }

    public string CommandLine { get; }

    public int? ExitCode { get; }

    public string StandardError { get; }
}
