namespace LayerLens.TestInfrastructure.Processes;

/// <summary>What a finished helper process printed and returned.</summary>
public sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError);
