using System.Text.RegularExpressions;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Shell;
using LayerLens.Analyzer.Dockerfiles.Syntax;
using LayerLens.Analyzer.BuildContexts;

namespace LayerLens.Analyzer.Optimisation.Dependencies;

/// <summary>
/// Walks a Dockerfile once, in order, and models every instruction's effect with the variables, working
/// directory and shell in force at that point. Steps are grouped per stage.
/// </summary>
public static partial class StageModel
{
    private static readonly HashSet<string> ConfigKeywords = new(StringComparer.Ordinal)
    {
        "CMD", "ENTRYPOINT", "EXPOSE", "HEALTHCHECK", "STOPSIGNAL", "MAINTAINER", "ONBUILD",
    };

    public static List<List<Step>> Build(DockerfileDocument document, SyntaxDocument syntax, BuildContext context)
    {
        var blocks = syntax.InstructionBlocks.Where(b => b.Instruction is not null).ToDictionary(b => b.Instruction!);
        var stages = new List<List<Step>>();
        var stageCwd = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        string? cwd = null;
        var posixShell = true;
        VariableScope.Walk(document, (instruction, scope) =>
        {
            if (instruction.Stage is not { } stageIndex || !blocks.TryGetValue(instruction, out var block))
            {
                return;
            }
            if (instruction.Keyword == "FROM")
            {
                var baseName = instruction.Args.Count > 0 ? instruction.Args[0].Value : "";
                cwd = baseName.Equals("scratch", StringComparison.OrdinalIgnoreCase) ? "/" : stageCwd.GetValueOrDefault(baseName);
                posixShell = true;
                stages.Add([]);
            }
            var step = Model(instruction, block, stageIndex, scope, ref cwd, ref posixShell, context);
            stages[^1].Add(step);
            if (instruction.Keyword != "FROM" && document.Stages[stageIndex].Name is { } name)
            {
                stageCwd[name] = cwd;
            }
            stageCwd[stageIndex.ToString(System.Globalization.CultureInfo.InvariantCulture)] = cwd;
        });
        return stages;
    }

    private static Step Model(Instruction instruction, InstructionBlock block, int stage, IReadOnlyDictionary<string, string> scope, ref string? cwd, ref bool posixShell, BuildContext context)
    {
        var effect = new InstructionEffect();
        var before = cwd;
        AddVariableReads(effect, instruction);
        CopyPlan? copy = null;
        IReadOnlyList<(InstallFootprint, string?)> installs = [];
        IReadOnlyList<ShellCommand> commands = [];
        switch (instruction.Keyword)
        {
            case "FROM":
                effect.IsBarrier = true;
                break;
            case "COPY" or "ADD":
                copy = ModelCopy(instruction, scope, cwd, context, effect);
                break;
            case "RUN":
                if (!posixShell)
                {
                    effect.MarkUnknown("SHELL is not a POSIX shell");
                }
                else if (instruction.Heredocs.Count > 0)
                {
                    effect.MarkUnknown("RUN with a here-document");
                }
                else if (instruction.Flags.Any(f => f.Value.StartsWith("--mount", StringComparison.Ordinal) && !IsCacheLikeMount(f.Value)))
                {
                    effect.MarkUnknown("RUN --mount of files");
                }
                else
                {
                    var result = RunAnalyzer.Analyze(instruction.ArgumentText, instruction.IsJson, [.. instruction.Args.Select(a => a.Value)], cwd, context, scope.GetValueOrDefault("PATH"));
                    foreach (var r in result.Effect.Reads)
                    {
                        effect.Reads.Add(r);
                    }
                    foreach (var w in result.Effect.Writes)
                    {
                        effect.Writes.Add(w);
                    }
                    effect.UnknownReason = result.Effect.UnknownReason;
                    installs = result.Installs;
                    commands = result.Commands;
                }
                effect.ReadsAllState = true;
                break;
            case "ENV":
                for (var i = 0; i + 1 < instruction.Args.Count; i += 3)
                {
                    effect.StateWrites.Add(instruction.Args[i].Value);
                }
                break;
            case "ARG":
                foreach (var arg in instruction.Args)
                {
                    var eq = arg.Value.IndexOf('=', StringComparison.Ordinal);
                    effect.StateWrites.Add(eq < 0 ? arg.Value : arg.Value[..eq]);
                }
                break;
            case "WORKDIR":
                var dir = Expand(instruction.Args.Count > 0 ? instruction.Args[0].Value : "", scope);
                cwd = dir is null ? null : dir.StartsWith('/') ? ImagePaths.Join("/", dir) : cwd is null ? null : ImagePaths.Join(cwd, dir);
                effect.StateWrites.Add("WORKDIR");
                effect.StateReads.Add("WORKDIR");
                if (cwd is null)
                {
                    effect.Writes.Add(PathAccess.Anything);
                }
                else
                {
                    effect.Writes.Add(PathAccess.DirectoryEntry(cwd));
                    effect.Writes.AddRange(ImagePaths.Parents(cwd).Select(PathAccess.DirectoryEntry));
                }
                break;
            case "USER":
                effect.StateWrites.Add("USER");
                break;
            case "SHELL":
                effect.StateWrites.Add("SHELL");
                posixShell = instruction.Args.Count > 0 && instruction.Args[0].Value is "/bin/sh" or "/bin/bash" or "sh" or "bash" or "/bin/ash" or "/bin/dash";
                break;
            case "LABEL":
                for (var i = 0; i < instruction.Args.Count; i += 3)
                {
                    effect.StateWrites.Add("CONFIG:LABEL:" + instruction.Args[i].Value);
                }
                break;
            case var k when ConfigKeywords.Contains(k):
                effect.StateWrites.Add("CONFIG:" + (k is "ENTRYPOINT" ? "CMD" : k));
                break;
            default:
                // VOLUME (the classic builder discards later writes below it) and anything unknown.
                effect.IsBarrier = true;
                break;
        }
        return new Step
        {
            Block = block,
            Effect = effect,
            StageIndex = stage,
            Keyword = instruction.Keyword,
            Cwd = before,
            Copy = copy,
            Installs = installs,
            Commands = commands,
        };
    }

    private static bool IsCacheLikeMount(string flag) =>
        flag.Contains("type=cache", StringComparison.Ordinal) || flag.Contains("type=tmpfs", StringComparison.Ordinal)
        || flag.Contains("type=secret", StringComparison.Ordinal) || flag.Contains("type=ssh", StringComparison.Ordinal);

    private static void AddVariableReads(InstructionEffect effect, Instruction instruction)
    {
        foreach (Match m in VariableRegex().Matches(instruction.Original))
        {
            effect.StateReads.Add(m.Groups[1].Value);
        }
    }

    private static string? Expand(string word, IReadOnlyDictionary<string, string> scope)
    {
        try
        {
            var expander = new VariableExpander(n => scope.TryGetValue(n, out var v) ? v : null);
            var value = expander.ProcessWord(word);
            return expander.Unmatched.Count > 0 ? null : value;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static CopyPlan? ModelCopy(Instruction instruction, IReadOnlyDictionary<string, string> scope, string? cwd, BuildContext context, InstructionEffect effect)
    {
        var args = instruction.Args.Select(a => a.Value).ToList();
        var flags = instruction.Flags.Select(f => f.Value).ToList();
        if (instruction.FlagValue("chown") is { Length: > 0 })
        {
            effect.Reads.Add(new PathAccess("/etc/passwd"));
            effect.Reads.Add(new PathAccess("/etc/group"));
        }
        if (args.Count < 2 || instruction.Heredocs.Count > 0)
        {
            var d = args.Count > 0 ? Expand(args[^1], scope) : null;
            effect.Writes.Add(d is null ? PathAccess.Anything : ImagePaths.Resolve(d, cwd));
            return null;
        }
        var destText = Expand(args[^1], scope);
        string? dest = destText is null ? null : ImagePaths.Resolve(destText, cwd) is { Path: var p } access && access != PathAccess.Anything ? p : null;
        if (dest is not null && !destText!.StartsWith('/'))
        {
            effect.StateReads.Add("WORKDIR");
        }
        if (instruction.FlagValue("from") is { } from)
        {
            effect.StageReads.Add(from);
            effect.Writes.Add(dest is null ? PathAccess.Anything : new PathAccess(dest));
            return null;
        }
        var sources = args.Take(args.Count - 1).Select(s => Expand(s, scope)).ToList();
        var remote = sources.Any(s => s is null || s.Contains("://", StringComparison.Ordinal) || s.StartsWith("git@", StringComparison.Ordinal));
        var archive = instruction.Keyword == "ADD" && sources.Any(s => s is not null && ArchiveRegex().IsMatch(s));
        var unusual = flags.Any(f => f.StartsWith("--parents", StringComparison.Ordinal) || f.StartsWith("--exclude", StringComparison.Ordinal));
        if (dest is null || remote || archive || unusual || !context.IsKnown)
        {
            effect.Writes.Add(dest is null ? PathAccess.Anything : new PathAccess(dest));
            effect.ContextUnknown = remote || !context.IsKnown || dest is null;
            if (!remote && context.IsKnown)
            {
                foreach (var s in sources.OfType<string>())
                {
                    foreach (var m in context.Resolve(s))
                    {
                        effect.ContextFiles.UnionWith(m.Files.Select(f => f.Path));
                    }
                }
            }
            return new CopyPlan { Sources = sources.Select(s => s ?? "").ToList(), Destination = dest, Files = null, Flags = flags };
        }
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var matches = sources.SelectMany(s => context.Resolve(s!)).ToList();
        var intoDirectory = args[^1].EndsWith('/') || matches.Count > 1 || sources.Count > 1;
        foreach (var match in matches)
        {
            foreach (var file in match.Files)
            {
                string target;
                if (match.IsDirectory)
                {
                    var rel = match.Path.Length == 0 ? file.Path : file.Path[(match.Path.Length + 1)..];
                    target = ImagePaths.Join(dest, rel);
                }
                else
                {
                    target = intoDirectory ? ImagePaths.Join(dest, Path.GetFileName(file.Path)) : dest;
                }
                files[target] = file.Path;
                effect.ContextFiles.Add(file.Path);
            }
        }
        if (matches.Count == 0)
        {
            // The build will fail on a missing source; model the destination as written and keep the order.
            effect.Writes.Add(new PathAccess(dest));
        }
        var dirs = new HashSet<string>(StringComparer.Ordinal) { dest };
        dirs.UnionWith(ImagePaths.Parents(dest));
        foreach (var (target, _) in files)
        {
            // A single file copied to a path without a trailing slash may land inside an existing directory.
            effect.Writes.Add(!intoDirectory && target == dest ? new PathAccess(dest) : new PathAccess(target));
            foreach (var parent in ImagePaths.Parents(target))
            {
                if (parent.Length >= dest.Length)
                {
                    dirs.Add(parent);
                }
            }
        }
        dirs.Remove(files.Count == 1 && !intoDirectory ? dest : "");
        effect.Writes.AddRange(dirs.Where(d => d != "/").Select(PathAccess.DirectoryEntry));
        return new CopyPlan { Sources = sources!, Destination = dest, Files = files, Flags = flags };
    }

    [GeneratedRegex(@"\$\{?([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex VariableRegex();

    [GeneratedRegex(@"\.(tar|tgz|tbz2?|txz|tar\.(gz|bz2|xz|zst|lz4)|gz|bz2|xz)$", RegexOptions.IgnoreCase)]
    private static partial Regex ArchiveRegex();
}
