using LayerLens.Analyzer.Optimisation.Dependencies;

namespace LayerLens.Analyzer.Optimisation.Rewrites;

/// <summary>
/// Rewrite 2: <c>COPY . dest</c> followed by a dependency install becomes "COPY the manifests, install,
/// COPY the rest", when the manifests exist in the context and the install provably reads nothing else
/// of what the broad COPY brings, and only when the cost model expects the split to lower the rebuild time
/// (the extra COPY costs time on every manifest edit; a cheap install is not worth it).
/// </summary>
public static class SplitBroadCopy
{
    public static void Apply(RewritePlan plan)
    {
        for (var stageIndex = 0; stageIndex < plan.Stages.Count; stageIndex++)
        {
            var stage = plan.Stages[stageIndex];
            for (var i = 1; i < stage.Count; i++)
            {
                var broad = stage[i];
                if (broad.Copy is not { IsBroad: true, Files: { } files, Destination: { } dest } copy || broad.Instruction is not { } instruction)
                {
                    continue;
                }
                var installAt = stage.FindIndex(i + 1, s => s.Installs.Count > 0);
                if (installAt < 0)
                {
                    continue;
                }
                var install = stage[installAt];
                var manifests = FindManifests(install, files, dest);
                if (manifests.Count == 0)
                {
                    continue;
                }
                var manifestEffect = new InstructionEffect();
                var rest = new InstructionEffect();
                foreach (var r in broad.Effect.Reads)
                {
                    rest.Reads.Add(r);
                }
                rest.StateReads.UnionWith(broad.Effect.StateReads);
                foreach (var w in broad.Effect.Writes)
                {
                    (manifests.ContainsKey(w.Path) && w.Tree ? manifestEffect.Writes : rest.Writes).Add(w);
                }
                var concreteInstall = ConcreteInstallEffect(install, manifests.Keys);
                var between = stage.Skip(i + 1).Take(installAt - i - 1).Append(new Step { Block = install.Block, Effect = concreteInstall, StageIndex = install.StageIndex, Keyword = "RUN" });
                if (!RewritePlan.CommutesWithAll(rest, between, out _, out _))
                {
                    continue;
                }
                var text = BuildManifestCopies(instruction, copy, manifests, dest, plan.Newline);
                if (text is null)
                {
                    continue;
                }
                foreach (var w in broad.Effect.Writes.Where(w => !w.Tree))
                {
                    manifestEffect.Writes.Add(w);
                }
                manifestEffect.ContextFiles.UnionWith(manifests.Values);
                manifestEffect.StateReads.UnionWith(broad.Effect.StateReads);
                // Cost the split before making it; the manifest COPY's block is the broad one until it exists.
                var candidate = new List<Step>(stage);
                candidate.RemoveAt(i);
                candidate.Insert(i, new Step { Block = broad.Block, Effect = manifestEffect, StageIndex = broad.StageIndex, Keyword = "COPY", Cwd = broad.Cwd });
                candidate.Insert(installAt + 1, broad);
                if (!RewritePlan.Lowers(plan.ExpectedCostWith(stageIndex, candidate), plan.ExpectedCost()))
                {
                    continue;
                }
                var inserted = plan.Syntax.InsertBefore(broad.Block, text);
                var manifestStep = new Step { Block = inserted, Effect = manifestEffect, StageIndex = broad.StageIndex, Keyword = "COPY", Cwd = broad.Cwd };
                plan.Syntax.MoveAfter(broad.Block, install.Block);
                stage.RemoveAt(i);
                stage.Insert(i, manifestStep);
                stage.Insert(installAt + 1, broad);
                plan.Changes.Add(new OptimisationChange("split-copy", instruction.StartLine,
                    $"COPY of the whole context split: {string.Join(", ", manifests.Values.Order(StringComparer.Ordinal))} first, then `{install.Installs[0].Install.Manager}` install at line {install.Line}, then the rest: editing sources no longer re-runs the install"));
            }
        }
    }

    /// <summary>Image path → context path of the manifests this install reads, among the files the broad COPY brings.</summary>
    private static Dictionary<string, string> FindManifests(Step install, IReadOnlyDictionary<string, string> files, string dest)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (command, cwd) in install.Installs)
        {
            if (cwd is null || !PathAccess.IsAtOrBelow(cwd, dest))
            {
                return [];
            }
            foreach (var manifest in command.Manifests)
            {
                if (manifest.StartsWith("**/", StringComparison.Ordinal))
                {
                    var name = manifest[3..];
                    foreach (var (image, context) in files)
                    {
                        if (PathAccess.IsAtOrBelow(image, cwd) && NameMatches(Path.GetFileName(image), name))
                        {
                            found[image] = context;
                        }
                    }
                    continue;
                }
                var path = ImagePaths.Join(cwd, manifest);
                foreach (var (image, context) in files)
                {
                    if (PathAccess.IsAtOrBelow(image, path))
                    {
                        found[image] = context;
                    }
                }
            }
            // The install needs its primary manifest: without it, the split would change nothing useful.
            if (!command.Manifests.Any(m => found.Keys.Any(k => m.StartsWith("**/", StringComparison.Ordinal) ? k.EndsWith(m[m.LastIndexOf('*')..][1..], StringComparison.Ordinal) : k == ImagePaths.Join(cwd, m))))
            {
                return [];
            }
        }
        return found;
    }

    private static bool NameMatches(string name, string pattern) =>
        pattern.StartsWith("*.", StringComparison.Ordinal) ? name.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase) : name.Equals(pattern, StringComparison.OrdinalIgnoreCase);

    /// <summary>The install's effect with subtree manifests and outputs narrowed to the files found.</summary>
    private static InstructionEffect ConcreteInstallEffect(Step install, IEnumerable<string> manifests)
    {
        if (!install.Installs.Any(i => i.Install.HasSubtreeManifests) || install.Commands.Count != install.Installs.Count)
        {
            return install.Effect;
        }
        var narrowed = install.Installs.Select(i => (i.Install with
        {
            Manifests = [],
            RelativeWrites = [.. i.Install.RelativeWrites.Where(w => !w.StartsWith("**/", StringComparison.Ordinal))],
        }, i.Cwd)).ToList();
        var effect = new InstructionEffect { ReadsAllState = true };
        foreach (var (command, cwd) in narrowed)
        {
            RunAnalyzer.AddInstallEffects(effect, command, cwd);
        }
        foreach (var m in manifests)
        {
            effect.Reads.Add(new PathAccess(m));
            // dotnet restore writes obj/ beside each project file.
            if (m.EndsWith("proj", StringComparison.OrdinalIgnoreCase))
            {
                effect.Writes.Add(new PathAccess(ImagePaths.Join(Path.GetDirectoryName(m)!.Replace('\\', '/'), "obj")));
            }
        }
        return effect;
    }

    private static string? BuildManifestCopies(Dockerfiles.Model.Instruction broad, CopyPlan copy, Dictionary<string, string> manifests, string dest, string newline)
    {
        var destArg = broad.Args[^1].Value;
        var flags = copy.Flags.Count > 0 ? string.Join(' ', copy.Flags) + " " : "";
        var lines = new List<string>();
        foreach (var group in manifests.GroupBy(m => Path.GetDirectoryName(m.Key)!.Replace('\\', '/')).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var sources = group.Select(g => g.Value).Order(StringComparer.Ordinal).ToList();
            if (sources.Any(s => s.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '$' or '\\' or '*' or '?' or '[')))
            {
                return null;
            }
            var rel = Path.GetRelativePath(dest, group.Key).Replace('\\', '/');
            var target = rel == "." ? (destArg.EndsWith('/') ? destArg : destArg + "/") : destArg.TrimEnd('/') + "/" + rel + "/";
            lines.Add($"{broad.RawKeyword} {flags}{string.Join(' ', sources)} {target}");
        }
        return string.Join(newline, lines) + newline;
    }
}
