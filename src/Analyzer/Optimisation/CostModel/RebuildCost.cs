using LayerLens.Analyzer.BuildContexts;
using LayerLens.Analyzer.Optimisation.Dependencies;

namespace LayerLens.Analyzer.Optimisation.CostModel;

/// <summary>
/// Expected rebuild seconds per change event: for each event, the first step of each stage whose cache
/// it invalidates plus every step after it, and the same for stages built from or copying from a rebuilt
/// stage; averaged over events by their weights.
/// </summary>
public static class RebuildCost
{
    public static double Expected(IReadOnlyList<List<Step>> stages, IReadOnlyList<ChangeEvent> events, Func<Step, double> duration, IReadOnlyList<string?> stageNames) =>
        Accumulate(stages, events, duration, stageNames, shares: null);

    /// <summary>
    /// The expected rebuild seconds and each step's share of it (its duration times the weighted share of
    /// change events that rebuild it; per stage, in step order), from one pass over the events: the shares
    /// add up to the total, which is summed exactly as <see cref="Expected"/> sums it.
    /// </summary>
    public static (double Seconds, List<List<double>> PerStep) ExpectedWithSteps(IReadOnlyList<List<Step>> stages, IReadOnlyList<ChangeEvent> events, Func<Step, double> duration, IReadOnlyList<string?> stageNames)
    {
        var shares = stages.Select(s => s.Select(_ => 0.0).ToList()).ToList();
        return (Accumulate(stages, events, duration, stageNames, shares), shares);
    }

    /// <summary>Σ weight × seconds of each event / Σ weight, adding each rebuilt step's weighted duration to <paramref name="shares"/> when given.</summary>
    private static double Accumulate(IReadOnlyList<List<Step>> stages, IReadOnlyList<ChangeEvent> events, Func<Step, double> duration, IReadOnlyList<string?> stageNames, List<List<double>>? shares)
    {
        var total = events.Sum(e => e.Weight);
        if (total <= 0)
        {
            return 0;
        }
        double weighted = 0;
        foreach (var change in events)
        {
            var firstMiss = FirstMisses(stages, change, stageNames);
            double seconds = 0;
            for (var s = 0; s < stages.Count; s++)
            {
                for (var i = firstMiss[s]; i < stages[s].Count; i++)
                {
                    var d = duration(stages[s][i]);
                    seconds += d;
                    if (shares is not null)
                    {
                        shares[s][i] += change.Weight / total * d;
                    }
                }
            }
            weighted += change.Weight * seconds;
        }
        return weighted / total;
    }

    /// <summary>Per stage, the index of the first step the change rebuilds (int.MaxValue: none).</summary>
    private static int[] FirstMisses(IReadOnlyList<List<Step>> stages, ChangeEvent change, IReadOnlyList<string?> stageNames)
    {
        var firstMiss = new int[stages.Count];
        for (var s = 0; s < stages.Count; s++)
        {
            var stage = stages[s];
            firstMiss[s] = stage.FindIndex(step => step.Effect.ContextUnknown || step.Effect.ContextFiles.Overlaps(change.Files) || change.Files.Count == 0 && step.Copy is not null);
            if (firstMiss[s] < 0)
            {
                firstMiss[s] = int.MaxValue;
            }
            // A stage built on, or copying from, an earlier rebuilt stage misses from that point on.
            for (var i = 0; i < Math.Min(stage.Count, firstMiss[s]); i++)
            {
                if (DependsOnRebuilt(stage[i], s, firstMiss, stageNames, i == 0))
                {
                    firstMiss[s] = i;
                    break;
                }
            }
        }
        return firstMiss;
    }

    private static bool DependsOnRebuilt(Step step, int stageIndex, int[] firstMiss, IReadOnlyList<string?> names, bool isFrom)
    {
        IEnumerable<string> refs = step.Effect.StageReads;
        if (isFrom && step.Instruction is { Args.Count: > 0 } from)
        {
            refs = refs.Append(from.Args[0].Value);
        }
        foreach (var r in refs)
        {
            for (var t = 0; t < stageIndex; t++)
            {
                var match = string.Equals(names[t], r, StringComparison.OrdinalIgnoreCase) || r == t.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (match && firstMiss[t] != int.MaxValue)
                {
                    return true;
                }
            }
        }
        return false;
    }

    public static Func<Step, double> Durations(StepDurations durations, BuildContext context, IReadOnlyDictionary<Step, List<Step>> merged) =>
        step => durations.Of(step, context) + (merged.TryGetValue(step, out var parts) ? parts.Sum(p => durations.Of(p, context)) : 0);
}
