using LayerLens.Analyzer.Optimisation.Dependencies;

namespace LayerLens.Analyzer.Optimisation.CostModel;

/// <summary>
/// Seconds each step takes when it is rebuilt: measured (our builds, a BuildKit log) where known,
/// otherwise a default by kind — installs are slow, other RUNs moderate, COPY scales with bytes.
/// </summary>
public sealed class StepDurations
{
    public const double InstallSeconds = 30;
    public const double RunSeconds = 5;
    public const double MetadataSeconds = 0.05;

    private readonly Dictionary<Step, double> _known = [];

    public string Source { get; set; } = "defaults";

    public void Set(Step step, double seconds) => _known[step] = Math.Max(0, seconds);

    public bool IsKnown(Step step) => _known.ContainsKey(step);

    public double Of(Step step, BuildContexts.BuildContext context)
    {
        if (_known.TryGetValue(step, out var s))
        {
            return s;
        }
        return step.Keyword switch
        {
            "FROM" => 0,
            "RUN" when step.Installs.Count > 0 || step.Commands.Any(c => RunAnalyzer.SystemCommands.Contains(c.Name)) => InstallSeconds,
            "RUN" => RunSeconds,
            "COPY" or "ADD" => 0.2 + step.Effect.ContextFiles.Sum(f => context.Get(f)?.Size ?? 0) / 100e6,
            _ => MetadataSeconds,
        };
    }
}
