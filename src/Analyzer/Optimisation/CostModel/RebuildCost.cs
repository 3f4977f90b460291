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

    public static double ForEvent(IReadOnlyList<List<Step>> stages, ChangeEvent change, Func<Step, double> duration, IReadOnlyList<string?> stageNames)
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
