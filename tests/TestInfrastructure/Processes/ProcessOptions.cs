namespace LayerLens.TestInfrastructure.Processes;

/// <summary>How to run a helper process.</summary>
public sealed class ProcessOptions
{
    /// <summary>Kill the process tree after this long; <see cref="ProcessRunner.DefaultTimeout"/> when null.</summary>
    public TimeSpan? Timeout { get; init; }

    public string? WorkingDirectory { get; init; }

    /// <summary>Extra environment variables for the child.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Text written to the child's stdin, which is then closed.</summary>
    public string? StandardInput { get; init; }

    /// <summary>When false a non-zero exit is returned rather than thrown.</summary>
    public bool CheckExitCode { get; init; } = true;
}
