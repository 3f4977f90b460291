namespace LayerLens.Cli.Submit;

/// <summary>Ends <c>layerlens submit</c> with a message and an exit code (2 bad input, 3 service error).</summary>
internal sealed class SubmitFailure(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
