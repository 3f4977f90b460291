namespace LayerLens.Analyzer.Optimisation.Measurement;

/// <summary>One step of a scenario's rebuild: its line and text in that Dockerfile, median seconds over the runs, and whether the median run served it from the cache.</summary>
public sealed record MeasuredStep(int Line, string Instruction, double Seconds, bool Cached);

/// <summary>Median rebuild seconds of one scenario for both Dockerfiles, with per-step times.</summary>
public sealed record ScenarioResult(string Name, double OriginalSeconds, double RecommendedSeconds, int Runs, int OriginalCachedSteps, int RecommendedCachedSteps)
{
    public IReadOnlyList<MeasuredStep> OriginalSteps { get; init; } = [];

    public IReadOnlyList<MeasuredStep> RecommendedSteps { get; init; } = [];
}

/// <summary>What <c>--measure</c> found: scenario medians, equivalence and failures.</summary>
public sealed class MeasurementResult
{
    public List<ScenarioResult> Scenarios { get; } = [];

    public bool Equivalent { get; set; }

    public List<string> Differences { get; } = [];

    /// <summary>Build failures with a log excerpt (the recommendation is withheld when any).</summary>
    public List<string> Failures { get; } = [];

    public List<string> Notes { get; } = [];

    /// <summary>
    /// The limit that stopped the measurement, as a sentence for the job's error (e.g. "build of the recommended
    /// Dockerfile stopped: memory limit of 512 MiB reached"); null when none did.
    /// </summary>
    public string? StoppedBy { get; set; }
}
