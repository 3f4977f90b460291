using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Syntax;
using LayerLens.Analyzer.BuildContexts;
using LayerLens.Analyzer.Optimisation.CostModel;
using LayerLens.Analyzer.Optimisation.Dependencies;
using LayerLens.Analyzer.Optimisation.Reports;
using LayerLens.Analyzer.Optimisation.Rewrites;

namespace LayerLens.Analyzer.Optimisation;

/// <summary>One step's expected seconds per rebuild under the cost model.</summary>
public sealed record ExpectedStep(int Line, string Instruction, double Seconds);

/// <summary>What the optimiser recommends for one Dockerfile, before any measurement.</summary>
public sealed class OptimisationResult
{
    public required string OriginalDockerfile { get; init; }

    public required string RecommendedDockerfile { get; init; }

    public required IReadOnlyList<OptimisationChange> Changes { get; init; }

    public required string Diff { get; init; }

    public required double ExpectedOriginalSeconds { get; set; }

    public required double ExpectedRecommendedSeconds { get; set; }

    /// <summary>Each step's expected seconds per rebuild (cost model), with its line in that Dockerfile; they add up to the totals.</summary>
    public IReadOnlyList<ExpectedStep> ExpectedOriginalSteps { get; private set; } = [];

    public IReadOnlyList<ExpectedStep> ExpectedRecommendedSteps { get; private set; } = [];

    public required string WeightSource { get; init; }

    public required string DurationSource { get; set; }

    /// <summary>Step models of the original and the recommendation, kept for measurement and re-costing.</summary>
    public required IReadOnlyList<List<Step>> OriginalStages { get; init; }

    public required IReadOnlyList<List<Step>> RecommendedStages { get; init; }

    public required StepDurations Durations { get; init; }

    public required IReadOnlyDictionary<Step, List<Step>> Merged { get; init; }

    public required IReadOnlyList<ChangeEvent> Events { get; init; }

    public required IReadOnlyList<string?> StageNames { get; init; }

    public required BuildContext Context { get; init; }

    /// <summary>Context files that some install reads (package.json, requirements.txt, go.mod...).</summary>
    public required IReadOnlySet<string> Manifests { get; init; }

    public bool HasRewrites => RecommendedDockerfile != OriginalDockerfile;

    /// <summary>Recomputes both expectations (after measured durations were added to <see cref="Durations"/>).</summary>
    public void Recost()
    {
        var original = RebuildCost.Durations(Durations, Context, new Dictionary<Step, List<Step>>());
        var recommended = RebuildCost.Durations(Durations, Context, Merged);
        (ExpectedOriginalSeconds, var originalShares) = RebuildCost.ExpectedWithSteps(OriginalStages, Events, original, StageNames);
        (ExpectedRecommendedSeconds, var recommendedShares) = RebuildCost.ExpectedWithSteps(RecommendedStages, Events, recommended, StageNames);
        ExpectedOriginalSteps = StepShares(OriginalStages, originalShares, OriginalDockerfile);
        ExpectedRecommendedSteps = StepShares(RecommendedStages, recommendedShares, RecommendedDockerfile);
        DurationSource = Durations.Source;
    }

    private static List<ExpectedStep> StepShares(IReadOnlyList<List<Step>> stages, List<List<double>> shares, string dockerfile)
    {
        var lines = InstructionLines.Of(dockerfile);
        var steps = new List<ExpectedStep>();
        for (var s = 0; s < stages.Count; s++)
        {
            for (var i = 0; i < stages[s].Count; i++)
            {
                // Positions match the text's instructions; the step's own line is the fallback.
                var at = InstructionLines.At(lines, s, i);
                var step = stages[s][i];
                steps.Add(new ExpectedStep(at?.Line ?? step.Line, at?.Text ?? InstructionText.OneLine(step.Instruction?.Original ?? step.Keyword), shares[s][i]));
            }
        }
        return steps;
    }
}

/// <summary>
/// Runs the rewrites on a Dockerfile's lossless syntax tree: apt merges, COPY --chown/--chmod, split of
/// broad COPYs, then moves of volatile COPYs (the last two only where the cost model expects a lower rebuild
/// time); then advice and the expected rebuild cost of both versions.
/// </summary>
public static class Optimizer
{
    /// <param name="history">History of an image built from this Dockerfile: step durations from its timestamps.</param>
    /// <param name="changes">How often each context path changed (parsed <c>git log --name-only</c> text); uniform weights without it.</param>
    public static OptimisationResult Optimize(DockerfileDocument document, BuildContext context, StepDurations? durations = null, IReadOnlyList<LoggedStep>? buildLog = null,
        IReadOnlyList<Images.HistoryEntry>? history = null, ChangeHistory? changes = null)
    {
        var text = document.Source.Text;
        var syntax = SyntaxDocument.Create(document);
        var stages = StageModel.Build(document, syntax, context);
        var originalStages = stages.Select(s => s.ToList()).ToList();
        durations ??= new StepDurations();
        if (history is { Count: > 0 } && originalStages.Count > 0)
        {
            ImageHistoryDurations.Apply(durations, originalStages[^1], history);
        }
        if (buildLog is { Count: > 0 })
        {
            ApplyLog(durations, originalStages, buildLog);
        }
        var manifests = ManifestFiles(stages, context);
        var (events, weightSource) = ChangeEvents.From(context, manifests, changes);
        var stageNames = document.Stages.Select(s => s.Name).ToList();
        var plan = new RewritePlan
        {
            Document = document, Syntax = syntax, Stages = stages, Context = context, Events = events, Durations = durations, StageNames = stageNames,
        };
        MergeAptUpdate.Apply(plan);
        MergeCacheCleanup.Apply(plan);
        CopyOwnership.Apply(plan);
        SplitBroadCopy.Apply(plan);
        MoveVolatileCopies.Apply(plan);
        Advice.Apply(plan);
        var rewritten = plan.Changes.Any(c => !c.IsAdvice);
        var recommended = rewritten ? syntax.Write() : text;
        var result = new OptimisationResult
        {
            OriginalDockerfile = text,
            RecommendedDockerfile = recommended,
            Changes = [.. plan.Changes.OrderBy(c => c.IsAdvice).ThenBy(c => c.Line)],
            Diff = UnifiedDiff.Create(text, recommended),
            ExpectedOriginalSeconds = 0,
            ExpectedRecommendedSeconds = 0,
            WeightSource = weightSource,
            DurationSource = durations.Source,
            OriginalStages = originalStages,
            RecommendedStages = stages,
            Durations = durations,
            Merged = plan.MergedFrom,
            Events = events,
            StageNames = stageNames,
            Context = context,
            Manifests = manifests,
        };
        result.Recost();
        return result;
    }

    private static HashSet<string> ManifestFiles(List<List<Step>> stages, BuildContext context)
    {
        var names = stages.SelectMany(s => s).SelectMany(s => s.Installs).SelectMany(i => i.Install.Manifests).ToList();
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in context.Files)
        {
            var name = Path.GetFileName(file.Path);
            if (names.Any(m => m.StartsWith("**/*", StringComparison.Ordinal) ? name.EndsWith(m[4..], StringComparison.OrdinalIgnoreCase) : Path.GetFileName(m) == name))
            {
                set.Add(file.Path);
            }
        }
        return set;
    }

    /// <summary>Matches logged vertexes to instructions by their text, in order.</summary>
    private static void ApplyLog(StepDurations durations, List<List<Step>> stages, IReadOnlyList<LoggedStep> log)
    {
        var remaining = log.Where(l => !l.Cached).ToList();
        foreach (var step in stages.SelectMany(s => s))
        {
            if (step.Instruction is not { } instruction)
            {
                continue;
            }
            var original = InstructionText.OneLine(instruction.Original);
            var hit = remaining.FindIndex(l => InstructionText.OneLine(BuildLogDurations.InstructionText(l.Name)) == original);
            if (hit >= 0)
            {
                durations.Set(step, remaining[hit].Seconds);
                remaining.RemoveAt(hit);
            }
        }
        durations.Source = "build log";
    }
}
