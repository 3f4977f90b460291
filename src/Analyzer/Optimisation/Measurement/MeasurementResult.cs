namespace LayerLens.Analyzer.Optimisation.Measurement;

/// <summary>Median rebuild seconds of one scenario for both Dockerfiles.</summary>
public sealed record ScenarioResult(string Name, double OriginalSeconds, double RecommendedSeconds, int Runs, int OriginalCachedSteps, int RecommendedCachedSteps);

/// <summary>What <c>--measure</c> found: scenario medians, equivalence and failures.</summary>
public sealed class MeasurementResult
{
    public List<ScenarioResult> Scenarios { get; } = [];

    public bool Equivalent { get; set; }

    public List<string> Differences { get; } = [];

    /// <summary>Build failures with a log excerpt (the recommendation is withheld when any).</summary>
    public List<string> Failures { get; } = [];

    public List<string> Notes { get; } = [];
}
