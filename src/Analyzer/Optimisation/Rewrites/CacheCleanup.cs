using LayerLens.Analyzer.Dockerfiles.Shell;
using LayerLens.Analyzer.Optimisation.Dependencies;

namespace LayerLens.Analyzer.Optimisation.Rewrites;

/// <summary>
/// A RUN that does nothing but delete caches and temporary files: which image paths it deletes, the effect
/// the dependency model checks it against (what else it reads, which build state it depends on), and its
/// commands as one line of shell to append elsewhere.
/// </summary>
public sealed record CacheCleanup(IReadOnlyList<PathAccess> Paths, InstructionEffect Effect, bool UsesWorkdir, string Text)
{
    /// <summary>Directories that hold only caches and temporary files: the image never needs what is deleted below them.</summary>
    public static readonly string[] CacheRoots =
    [
        "/tmp", "/var/tmp", "/root/.cache", "/root/.npm", "/usr/local/share/.cache", "/var/cache/apk", "/var/cache/apt", "/var/cache/yum",
        "/var/cache/dnf", "/var/cache/zypp", "/var/lib/apt/lists", "/root/.composer/cache", "/root/go/pkg/mod", "/go/pkg/mod",
    ];

    /// <summary>Where rm itself and the libraries it loads come from (narrower than any program: rm reads no configuration).</summary>
    private static readonly string[] RmProgram =
        ["/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/lib", "/lib64", "/usr/lib", "/usr/lib64", "/etc/ld.so.cache", "/etc/ld.so.preload"];

    /// <summary>Where a tool's cache lives depends on HOME, USER and its variables: every home and cache directory it could be.</summary>
    private static readonly string[] HomeCaches = ["/root", "/home", "/tmp", "/usr/local/share/.cache", "/go"];

    private static readonly HashSet<string> RmOptions = new(StringComparer.Ordinal)
    {
        "-r", "-R", "-f", "-rf", "-fr", "-Rf", "-fR", "-v", "-rfv", "-vrf", "--recursive", "--force", "--verbose", "--",
    };

    /// <summary>The cleanup <paramref name="step"/> performs, or null when it does anything else (or anything uncertain).</summary>
    public static CacheCleanup? Of(Step step)
    {
        if (step.Keyword != "RUN" || step.Instruction is not { IsJson: false, Heredocs.Count: 0, Flags.Count: 0 } || step.Commands.Count == 0)
        {
            return null;
        }
        var paths = new List<PathAccess>();
        var usesWorkdir = false;
        var usesTools = false;
        for (var i = 0; i < step.Commands.Count; i++)
        {
            var command = step.Commands[i];
            // Appended after "&&", a ';' or '||' inside the cleanup would let it mask a failure of the target RUN.
            var lastCommand = i == step.Commands.Count - 1;
            if (command.Depth > 0 || command.Assignments.Count > 0 || command.Redirects.Count > 0 || (lastCommand ? command.Connector is not null : command.Connector != "&&")
                || command.Words.Any(w => w.HasCommandSubstitution))
            {
                return null;
            }
            if (command.Name == "rm")
            {
                var operands = command.Words.Skip(1).Where(w => !RmOptions.Contains(w.Value)).ToList();
                if (operands.Count == 0 || operands.Any(w => w.Value.StartsWith('-')))
                {
                    return null;
                }
                foreach (var operand in operands)
                {
                    var access = ImagePaths.Resolve(operand, step.Cwd);
                    if (access == PathAccess.Anything || !CacheRoots.Any(root => PathAccess.IsAtOrBelow(access.Path, root)))
                    {
                        return null;
                    }
                    usesWorkdir |= !operand.Value.StartsWith('/');
                    paths.Add(access);
                }
                continue;
            }
            if (ToolCleanup(command) is not { } cleaned)
            {
                return null;
            }
            usesTools |= cleaned.HomeDependent;
            paths.AddRange(cleaned.Paths.Select(p => new PathAccess(p)));
        }
        var effect = new InstructionEffect();
        effect.Writes.AddRange(paths);
        effect.Reads.AddRange(paths);
        effect.StateReads.UnionWith(["SHELL", "USER", "PATH"]);
        if (usesWorkdir)
        {
            effect.StateReads.Add("WORKDIR");
        }
        if (usesTools)
        {
            // Tools read their configuration and environment: anything outside the application directories and every variable.
            effect.Reads.AddRange(InstallFootprint.SystemRoots.Select(r => new PathAccess(r)));
            effect.ReadsAllState = true;
        }
        else
        {
            // The PATH directories the model found for this RUN, without the broad program directories it assumes for any command.
            effect.Reads.AddRange(step.Effect.Reads.Where(r => r.Path is not ("/etc" or "/usr" or "/") && !paths.Contains(r)));
            effect.Reads.AddRange(RmProgram.Select(p => new PathAccess(p)));
        }
        var text = string.Join(" && ", step.Commands.Select(c => string.Join(' ', c.Words.Select(w => w.Raw))));
        return new CacheCleanup(paths, effect, usesWorkdir, text);
    }

    /// <summary>A package manager's own cache cleanup, with the directories it may delete (all homes when they depend on HOME).</summary>
    private static (string[] Paths, bool HomeDependent)? ToolCleanup(ShellCommand command)
    {
        if (ToolRecognizer.Recognize(command) is not { } t)
        {
            return null;
        }
        var args = t.Packages;
        return t.Tool switch
        {
            "apt-get" or "apt" when t.Subcommand is "clean" or "autoclean" && args.Count == 0 => (["/var/cache/apt"], false),
            "apk" when t.Subcommand == "cache" && args is ["clean"] => (["/var/cache/apk"], false),
            "yum" or "dnf" or "microdnf" when t.Subcommand == "clean" && args is ["all"] => (["/var/cache/yum", "/var/cache/dnf"], false),
            "npm" when t.Subcommand == "cache" && args is ["clean"] && t.Options.All(o => o is "--force" or "-f") => (HomeCaches, true),
            "yarn" when t.Subcommand == "cache" && args is ["clean"] && t.Options.Count == 0 => (HomeCaches, true),
            "pip" or "pip3" or "pip2" when t.Subcommand == "cache" && args is ["purge"] && t.Options.Count == 0 => (HomeCaches, true),
            "go" when t.Subcommand == "clean" && args.Count == 0 && t.Options.Count > 0 && t.Options.All(o => o is "-cache" or "-modcache" or "-testcache" or "-fuzzcache") => (HomeCaches, true),
            _ => null,
        };
    }
}
