using LayerLens.Analyzer.Dockerfiles.Shell;
using LayerLens.Analyzer.Optimisation.Dependencies;

namespace LayerLens.Analyzer.Optimisation.Rewrites;

/// <summary>
/// Rewrite 3: a RUN that only does <c>apt-get update</c> joins the install RUN right after it (a cached
/// update layer otherwise serves stale indexes to a changed install), and a RUN right after the install
/// that only cleans apt caches joins it too (the cleanup then shrinks the layer that created the files).
/// Cleanup that was not there is never added: that would change the image, so it is advice instead.
/// </summary>
public static class MergeAptUpdate
{
    public static void Apply(RewritePlan plan)
    {
        foreach (var stage in plan.Stages)
        {
            for (var i = 1; i + 1 < stage.Count; i++)
            {
                var update = stage[i];
                var install = stage[i + 1];
                if (IsOnly(update, IsUpdate) && IsAptInstall(install) && Plain(update) && Plain(install))
                {
                    Prepend(plan, install, update.Instruction!.ArgumentText);
                    install.Block.LeadingComments = update.Block.LeadingComments + install.Block.LeadingComments;
                    plan.Syntax.Remove(update.Block);
                    stage.RemoveAt(i);
                    Merge(plan, install, update);
                    plan.Changes.Add(new OptimisationChange("merge-apt-update", update.Line,
                        $"`apt-get update` merged into the install RUN at line {install.Line}: a cached update layer would otherwise feed stale package indexes to a changed install"));
                }
            }
            for (var i = 1; i + 1 < stage.Count; i++)
            {
                var install = stage[i];
                var cleanup = stage[i + 1];
                if (IsAptInstall(install) && IsOnly(cleanup, IsAptCleanup) && Plain(install) && Plain(cleanup))
                {
                    Append(plan, install, cleanup.Instruction!.ArgumentText);
                    plan.Syntax.Remove(cleanup.Block);
                    stage.RemoveAt(i + 1);
                    Merge(plan, install, cleanup);
                    plan.Changes.Add(new OptimisationChange("merge-cleanup", cleanup.Line,
                        $"apt cache cleanup merged into the RUN at line {install.Line} that created the files: the separate layer only hid them, shipping them anyway"));
                }
            }
        }
    }

    internal static void Merge(RewritePlan plan, Step into, Step from)
    {
        var list = plan.MergedFrom.TryGetValue(into, out var l) ? l : plan.MergedFrom[into] = [];
        list.Add(from);
        if (plan.MergedFrom.Remove(from, out var nested))
        {
            list.AddRange(nested);
        }
        foreach (var r in from.Effect.Reads)
        {
            into.Effect.Reads.Add(r);
        }
        foreach (var w in from.Effect.Writes)
        {
            into.Effect.Writes.Add(w);
        }
    }

    private static bool Plain(Step step) =>
        step.Keyword == "RUN" && step.Instruction is { IsJson: false, Flags.Count: 0, Heredocs.Count: 0 } && step.Commands.Count > 0;

    private static bool IsOnly(Step step, Func<ShellCommand, bool> predicate) =>
        step.Keyword == "RUN" && step.Commands.Count > 0 && step.Commands.All(c => c.Redirects.Count == 0 && predicate(c));

    private static bool IsUpdate(ShellCommand c) => c.Name is "apt-get" or "apt" && c.Words.Skip(1).Where(w => !w.Value.StartsWith('-')).Select(w => w.Value).SequenceEqual(["update"]);

    private static bool IsAptCleanup(ShellCommand c) =>
        c.Name is "apt-get" or "apt" && c.Words.Skip(1).Where(w => !w.Value.StartsWith('-')).Select(w => w.Value).SequenceEqual(["clean"])
        || c.Name == "rm" && c.Words.Skip(1).Where(w => !w.Value.StartsWith('-')).All(w => w.Value.StartsWith("/var/lib/apt/lists", StringComparison.Ordinal) || w.Value.StartsWith("/var/cache/apt", StringComparison.Ordinal));

    private static bool IsAptInstall(Step step) =>
        step.Keyword == "RUN" && step.Commands.Count > 0 && step.Commands[0].Name is "apt-get" or "apt"
        && step.Commands[0].Words.Skip(1).FirstOrDefault(w => !w.Value.StartsWith('-'))?.Value == "install";

    private static void Prepend(RewritePlan plan, Step step, string command)
    {
        var instruction = step.Instruction!;
        var at = RewritePlan.BodyOffset(step.Block, instruction.ArgumentRange.StartLine, instruction.ArgumentRange.StartColumn);
        var body = step.Block.Body;
        plan.Syntax.Replace(step.Block, body[..at] + command.Trim() + " && " + plan.Escape + plan.Newline + "    " + body[at..]);
    }

    private static void Append(RewritePlan plan, Step step, string command)
    {
        var body = step.Block.Body;
        var end = body.TrimEnd('\r', '\n').Length;
        plan.Syntax.Replace(step.Block, body[..end] + " " + plan.Escape + plan.Newline + "    && " + command.Trim() + body[end..]);
    }
}
