using LayerLens.Analyzer.Optimisation.Dependencies;

namespace LayerLens.Analyzer.Optimisation.Rewrites;

/// <summary>
/// Rewrite 1: a COPY/ADD of context files moves below the RUN steps after it that provably neither read
/// what it writes nor write what it reads, so an edit to those files no longer re-runs them.
/// </summary>
public static class MoveVolatileCopies
{
    public static void Apply(RewritePlan plan)
    {
        foreach (var stage in plan.Stages)
        {
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
                var lastRun = -1;
                for (var k = i + 1; k <= reach; k++)
                {
                    if (stage[k].Keyword == "RUN")
                    {
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
