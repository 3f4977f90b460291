using LayerLens.Analyzer.Optimisation.Context;
using LayerLens.Analyzer.Optimisation.Dependencies;

namespace LayerLens.Analyzer.Optimisation.CostModel;

/// <summary>
/// Expected rebuild seconds per change event: for each event, the first step of each stage whose cache
/// it invalidates plus every step after it, and the same for stages built from or copying from a rebuilt
/// stage; averaged over events by their weights.
/// </summary>
public static class RebuildCost
{
    public static double Expected(IReadOnlyList<List<Step>> stages, IReadOnlyList<ChangeEvent> events, Func<Step, double> duration, IReadOnlyList<string?> stageNames)
    {
        var total = events.Sum(e => e.Weight);
        if (total <= 0)
        {
            return 0;
        }
        return events.Sum(e => e.Weight * ForEvent(stages, e, duration, stageNames)) / total;
    }

    /// <summary>
    /// Each step's share of the expected rebuild: its duration times the weighted share of change events that
    /// rebuild it. Per stage, in step order; the shares add up to <see cref="Expected"/>.
    /// </summary>
    public static List<List<double>> PerStep(IReadOnlyList<List<Step>> stages, IReadOnlyList<ChangeEvent> events, Func<Step, double> duration, IReadOnlyList<string?> stageNames)
    {
        var shares = stages.Select(s => s.Select(_ => 0.0).ToList()).ToList();
        var total = events.Sum(e => e.Weight);
        if (total <= 0)
        {
            return shares;
        }
        foreach (var change in events)
        {
            var firstMiss = FirstMisses(stages, change, stageNames);
            for (var s = 0; s < stages.Count; s++)
            {
                for (var i = firstMiss[s]; i < stages[s].Count; i++)
                {
                    shares[s][i] += change.Weight / total * duration(stages[s][i]);
                }
            }
        }
        return shares;
    }

    public static double ForEvent(IReadOnlyList<List<Step>> stages, ChangeEvent change, Func<Step, double> duration, IReadOnlyList<string?> stageNames)
    {
        var firstMiss = FirstMisses(stages, change, stageNames);
        double seconds = 0;
        for (var s = 0; s < stages.Count; s++)
        {
            for (var i = firstMiss[s]; i < stages[s].Count; i++)
            {
                seconds += duration(stages[s][i]);
            }
        }
        return seconds;
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
