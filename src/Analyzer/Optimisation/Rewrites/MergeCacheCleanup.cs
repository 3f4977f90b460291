using LayerLens.Analyzer.Optimisation.Dependencies;

namespace LayerLens.Analyzer.Optimisation.Rewrites;

/// <summary>
/// Rewrite 3, second half: a RUN that only deletes caches or temporary files joins the earlier RUN of its
/// stage that wrote those paths, when the dependency model proves nothing in between reads or writes them
/// or changes state the cleanup uses. Deleting in a later layer only hides the files; every byte still
/// ships in the layer that created them. Files that came from a COPY/ADD get advice instead: no RUN
/// can take their bytes back. No cleanup is ever invented.
/// </summary>
public static class MergeCacheCleanup
{
    /// <summary>Steps searched back for the creator: enough for real stages, linear for generated files with thousands of cleanups.</summary>
    public const int MaxLookBack = 256;

    public static void Apply(RewritePlan plan)
    {
        foreach (var stage in plan.Stages)
        {
            for (var j = stage.Count - 1; j >= 1; j--)
            {
                var cleanupStep = stage[j];
                if (CacheCleanup.Of(cleanupStep) is not { } cleanup || FindCreator(stage, j, cleanup) is not { } at)
                {
                    continue;
                }
                var creator = stage[at];
                if (creator.Keyword is "COPY" or "ADD")
                {
                    plan.Changes.Add(new OptimisationChange("cleanup-copy", cleanupStep.Line,
                        $"line {cleanupStep.Line} deletes files the {creator.Keyword} at line {creator.Line} put in the image: they stay in that layer. Keep them out of the {creator.Keyword} (.dockerignore or a narrower source) or delete them in a build stage",
                        IsAdvice: true, Example: IgnoreExample(creator, cleanup)));
                    continue;
                }
                if (!CanAppendTo(creator, cleanup, plan.Escape))
                {
                    continue;
                }
                AppendCommand(plan, creator, cleanup.Text);
                creator.Block.LeadingComments += cleanupStep.Block.LeadingComments;
                plan.Syntax.Remove(cleanupStep.Block);
                stage.RemoveAt(j);
                // The merged step touches what the cleanup touches, not the "anything" an unmodelled tool command would make it.
                cleanupStep.Effect = cleanup.Effect;
                MergeAptUpdate.Merge(plan, creator, cleanupStep);
                // Counted in the original file: earlier merges have already shortened this stage's step list.
                var layer = plan.Document.Stages[creator.StageIndex].Instructions.Count(i => i.StartLine <= creator.Line && i.Keyword is "RUN" or "COPY" or "ADD");
                plan.Changes.Add(new OptimisationChange("merge-cleanup", cleanupStep.Line,
                    $"cleanup merged into the RUN at line {creator.Line}: the files were shipped in layer {layer} of this stage (line {creator.Line}) and deleted in a later layer (line {cleanupStep.Line}): the bytes stay in the image"));
            }
        }
    }

    /// <summary>The context files the COPY put where the cleanup deletes, as .dockerignore lines (null when not known, e.g. COPY --from).</summary>
    private static string? IgnoreExample(Step copy, CacheCleanup cleanup)
    {
        var sources = copy.Copy?.Files is { } files
            ? files.Where(f => cleanup.Paths.Any(p => p.Overlaps(new PathAccess(f.Key)))).Select(f => f.Value).Take(5).ToList()
            : copy.Copy?.Sources.ToList();
        return sources is { Count: > 0 } ? "# .dockerignore\n" + string.Join('\n', sources) : null;
    }

    /// <summary>
    /// Index of the nearest earlier step that writes a cleaned path, provided every step between commutes with
    /// the cleanup; null when a step in between conflicts, or the files come from before the stage.
    /// </summary>
    private static int? FindCreator(List<Step> stage, int cleanupIndex, CacheCleanup cleanup)
    {
        for (var k = cleanupIndex - 1; k >= Math.Max(1, cleanupIndex - MaxLookBack); k--)
        {
            var step = stage[k];
            if (step.Effect.Writes.Any(w => w.Tree && cleanup.Paths.Any(p => p.Overlaps(w))))
            {
                // Another cleanup only deleted there: it created nothing to merge into.
                return CacheCleanup.Of(step) is null ? k : null;
            }
            if (InstructionEffect.Conflicts(cleanup.Effect, step.Effect, out _))
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>Shell-form RUNs whose text can take <c>&amp;&amp; cleanup</c> at its end and still run it last, on its success, in the same directory.</summary>
    private static bool CanAppendTo(Step creator, CacheCleanup cleanup, char escape)
    {
        if (creator.Keyword != "RUN" || creator.Instruction is not { IsJson: false, Heredocs.Count: 0 } instruction || creator.Commands.Count == 0
            || instruction.Flags.Any(f => f.Value.StartsWith("--mount", StringComparison.Ordinal)))
        {
            return false;
        }
        var last = creator.Commands[^1];
        if (last.Connector is not null || creator.Commands.Any(c => Path.GetFileName(c.Name) is "exec" or "exit" || c.Redirects.Any(r => r.Operator is "<<" or "<<-")))
        {
            return false;
        }
        // A shell comment at the end would swallow the appended command.
        var end = last.Words.Concat(last.Redirects.Select(r => r.Target).OfType<Dockerfiles.Shell.ShellWord>()).Max(w => w.End);
        if (end < instruction.ArgumentText.Length && instruction.ArgumentText[end..].Trim().Length > 0)
        {
            return false;
        }
        if (creator.Block.Body.TrimEnd().EndsWith(escape))
        {
            return false; // a trailing continuation at the end of the file
        }
        // Relative paths resolve in the directory the RUN ends in; a cd inside it would move them.
        return !cleanup.UsesWorkdir || creator.Commands.All(c => c.Name is not ("cd" or "pushd" or "popd")) && creator.Cwd is not null;
    }

    /// <summary>Appends <c>&amp;&amp; command</c> on a new continuation line in the RUN's own style: trailing <c>&amp;&amp; \</c> or leading <c>&amp;&amp;</c>, same indent.</summary>
    internal static void AppendCommand(RewritePlan plan, Step step, string command)
    {
        var body = step.Block.Body;
        var end = body.TrimEnd().Length;
        var lines = body[..end].Split('\n');
        var indent = "    ";
        var leading = false;
        if (lines.Length > 1)
        {
            var lastLine = lines[^1].TrimEnd('\r');
            var own = lastLine[..(lastLine.Length - lastLine.TrimStart().Length)];
            indent = own.Length > 0 ? own : indent;
            leading = lines.Skip(1).Any(l => l.TrimStart().StartsWith("&&", StringComparison.Ordinal));
        }
        var appended = leading
            ? " " + plan.Escape + plan.Newline + indent + "&& " + command
            : " && " + plan.Escape + plan.Newline + indent + command;
        plan.Syntax.Replace(step.Block, body[..end] + appended + body[end..]);
    }
}
