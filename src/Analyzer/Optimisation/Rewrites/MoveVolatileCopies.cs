using LayerLens.Analyzer.Optimisation.Dependencies;

namespace LayerLens.Analyzer.Optimisation.Rewrites;

/// <summary>
/// Rewrite 1: a COPY/ADD of context files moves below RUN steps after it that provably neither read what it
/// writes nor write what it reads, so an edit to those files no longer re-runs them. Of the valid places
/// (after each such RUN), the cost model picks the one with the lowest expected rebuild time, and the COPY
/// moves only when that is lower than where it is: passing a cheap RUN can cost more than it saves when
/// the COPY then re-runs after edits to files copied by the steps it passed.
/// </summary>
public static class MoveVolatileCopies
{
    public static void Apply(RewritePlan plan)
    {
        for (var stageIndex = 0; stageIndex < plan.Stages.Count; stageIndex++)
        {
            var stage = plan.Stages[stageIndex];
            for (var i = stage.Count - 2; i >= 1; i--)
            {
                var copy = stage[i];
                if (copy.Copy is null || copy.Effect.ContextFiles.Count == 0 && !copy.Effect.ContextUnknown)
                {
                    continue;
                }
                var reach = i;
                while (reach + 1 < stage.Count && !InstructionEffect.Conflicts(copy.Effect, stage[reach + 1].Effect, out _))
                {
                    reach++;
                }
                var current = plan.ExpectedCost();
                var lastRun = -1;
                var best = current;
                var runs = Enumerable.Range(i + 1, reach - i).Where(k => stage[k].Keyword == "RUN").Reverse().Take(RewritePlan.MaxCandidates).Order();
                foreach (var k in runs)
                {
                    var candidate = new List<Step>(stage);
                    candidate.RemoveAt(i);
                    candidate.Insert(k, copy);
                    // Nearest first, so ties keep the shorter move.
                    var cost = plan.ExpectedCostWith(stageIndex, candidate);
                    if (RewritePlan.Lowers(cost, best))
                    {
                        best = cost;
                        lastRun = k;
                    }
                }
                if (lastRun < 0)
                {
                    continue;
                }
                var passed = stage.Skip(i + 1).Take(lastRun - i).Where(s => s.Keyword == "RUN").ToList();
                var target = stage[lastRun];
                plan.Syntax.MoveAfter(copy.Block, target.Block);
                stage.RemoveAt(i);
                stage.Insert(lastRun, copy);
                var lines = string.Join(", ", passed.Select(p => p.Line).Where(l => l > 0));
                plan.Changes.Add(new OptimisationChange("move-copy", copy.Line,
                    $"{copy.Keyword} moved below the RUN step(s){(lines.Length > 0 ? " at line " + lines : "")}, which neither read nor write the copied files: editing them no longer re-runs those steps"));
            }
        }
    }
}
