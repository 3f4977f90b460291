using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Shell;
using static LayerLens.Analyzer.Dockerfiles.Linting.Rules.RuleFactory;

namespace LayerLens.Analyzer.Dockerfiles.Linting.Rules;

/// <summary>Rules about what RUN executes, read through the shell parser and tool recogniser.</summary>
internal static class RunRules
{
    public static IEnumerable<RuleDefinition> Rules =>
    [
        Rule("LL-3003", Severity.Warning, "DL3003", null, "Use WORKDIR to switch to a directory",
            "A cd lasts one RUN; WORKDIR documents the directory and applies to what follows.",
            "Use WORKDIR.", "RUN cd /app && make", "WORKDIR /app\nRUN make",
            (ctx, rule) => ForEachCommand(ctx, (run, cmd) =>
            {
                if (cmd.Name == "cd" && cmd.Depth == 0)
                {
                    ctx.Report(rule, run, "Use WORKDIR to switch to a directory");
                }
            })),
        Rule("LL-3004", Severity.Error, "DL3004", null, "Do not use sudo",
            "sudo has unpredictable TTY and signal behaviour in builds; RUN already runs as the current USER.",
            "Drop sudo; switch USER if needed.", "RUN sudo apt-get install -y curl", "USER root\nRUN apt-get install -y curl",
            (ctx, rule) => ForEachCommand(ctx, (run, cmd) =>
            {
                if (cmd.Name == "sudo")
                {
                    ctx.Report(rule, run, "Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root");
                }
            })),
        Rule("LL-3008", Severity.Warning, "DL3008", null, "Pin versions in apt-get install",
            "Unpinned packages change between builds.",
            "Pin package=version.", "RUN apt-get install -y curl", "RUN apt-get install -y curl=7.88.1-10+deb12u5",
            (ctx, rule) => ForEachTool(ctx, "apt-get", (run, t) =>
            {
                if (t.Subcommand == "install")
                {
                    foreach (var p in t.Packages.Where(p => !p.Contains('=', StringComparison.Ordinal) && !p.EndsWith(".deb", StringComparison.Ordinal) && !p.Contains('$', StringComparison.Ordinal)))
                    {
                        ctx.Report(rule, run, $"Pin versions in apt get install. Instead of `apt-get install {p}` use `apt-get install {p}=<version>`");
                    }
                }
            })),
        Rule("LL-3009", Severity.Info, "DL3009", null, "Delete the apt-get lists after installing something",
            "The package index (/var/lib/apt/lists) is tens of MB shipped in the layer.",
            "Remove /var/lib/apt/lists/* in the same RUN (or use a cache mount).", "RUN apt-get update && apt-get install -y curl",
            "RUN apt-get update && apt-get install -y curl \\\n    && rm -rf /var/lib/apt/lists/*",
            (ctx, rule) =>
            {
                foreach (var run in ctx.All("RUN"))
                {
                    var tools = ctx.Tools(run).Where(t => t.Tool == "apt-get").ToList();
                    if (tools.Count == 0 || !tools.Any(t => t.Subcommand is "update" or "install") || HasCacheMount(run, "/var/lib/apt"))
                    {
                        continue;
                    }
                    if (!Removes(ctx.Script(run), "/var/lib/apt/lists"))
                    {
                        ctx.Report(rule, run, "Delete the apt-get lists after installing something");
                    }
                }
            }),
        Rule("LL-3013", Severity.Warning, "DL3013", null, "Pin versions in pip",
            "Unpinned packages change between builds.",
            "Pin package==version or install from a requirements file.", "RUN pip install flask", "RUN pip install flask==3.0.3",
            (ctx, rule) => ForEachTool(ctx, "pip", (run, t) =>
            {
                if (t.Subcommand == "install" && t.Command.Name is not ("poetry" or "pipenv"))
                {
                    foreach (var p in t.Packages.Where(p => !IsPinnedPip(p)))
                    {
                        ctx.Report(rule, run, $"Pin versions in pip. Instead of `pip install {p}` use `pip install {p}==<version>`");
                    }
                }
            }, tools: ["pip", "pip3", "pip2"])),
        Rule("LL-3014", Severity.Warning, "DL3014", null, "Use the -y switch with apt-get install",
            "Without -y the build stops at the confirmation prompt.",
            "Add -y (or --yes, --assume-yes).", "RUN apt-get install curl", "RUN apt-get install -y curl",
            (ctx, rule) => ForEachTool(ctx, "apt-get", (run, t) =>
            {
                if (t.Subcommand == "install" && !t.HasShortOption('y') && !t.HasOption("--yes", "--assume-yes", "-qq") && !t.Options.Any(o => o.StartsWith("-q", StringComparison.Ordinal) && o.Count(c => c == 'q') >= 2))
                {
                    ctx.Report(rule, run, "Use the -y switch to avoid manual input `apt-get -y install <package>`");
                }
            })),
        Rule("LL-3015", Severity.Info, "DL3015", null, "Avoid additional packages by specifying --no-install-recommends",
            "Recommended packages often double the size of what is installed.",
            "Add --no-install-recommends.", "RUN apt-get install -y curl", "RUN apt-get install -y --no-install-recommends curl",
            (ctx, rule) => ForEachTool(ctx, "apt-get", (run, t) =>
            {
                if (t.Subcommand == "install" && !t.HasOption("--no-install-recommends") && !t.Options.Any(o => o.Contains("Install-Recommends=false", StringComparison.OrdinalIgnoreCase)))
                {
                    ctx.Report(rule, run, "Avoid additional packages by specifying `--no-install-recommends`");
                }
            })),
        Rule("LL-3016", Severity.Warning, "DL3016", null, "Pin versions in npm",
            "Unpinned global packages change between builds.",
            "Use package@version.", "RUN npm install -g typescript", "RUN npm install -g typescript@5.6.3",
            (ctx, rule) => ForEachTool(ctx, "npm", (run, t) =>
            {
                if (t.Subcommand is "install" or "i" or "add")
                {
                    foreach (var p in t.Packages.Where(p => !IsPinnedNpm(p)))
                    {
                        ctx.Report(rule, run, $"Pin versions in npm. Instead of `npm install {p}` use `npm install {p}@<version>`");
                    }
                }
            })),
        Rule("LL-3018", Severity.Warning, "DL3018", null, "Pin versions in apk add",
            "Unpinned packages change between builds.",
            "Use package=version.", "RUN apk add --no-cache curl", "RUN apk add --no-cache curl=8.9.1-r2",
            (ctx, rule) => ForEachTool(ctx, "apk", (run, t) =>
            {
                if (t.Subcommand == "add")
                {
                    foreach (var p in t.Packages.Where(p => !p.Contains('=', StringComparison.Ordinal) && !p.EndsWith(".apk", StringComparison.Ordinal) && !p.Contains('$', StringComparison.Ordinal)))
                    {
                        ctx.Report(rule, run, $"Pin versions in apk add. Instead of `apk add {p}` use `apk add {p}=<version>`");
                    }
                }
            })),
        Rule("LL-3019", Severity.Info, "DL3019", null, "Use the --no-cache switch with apk add",
            "Without it the package index stays in /var/cache/apk in the layer.",
            "Add --no-cache.", "RUN apk add curl", "RUN apk add --no-cache curl",
            (ctx, rule) => ForEachTool(ctx, "apk", (run, t) =>
            {
                if (t.Subcommand == "add" && !t.HasOption("--no-cache") && !HasCacheMount(run, "/var/cache/apk"))
                {
                    ctx.Report(rule, run, "Use the `--no-cache` switch to avoid the need to use `--update` and remove `/var/cache/apk/*` when done installing packages");
                }
            })),
        Rule("LL-3027", Severity.Warning, "DL3027", null, "Do not use apt; use apt-get or apt-cache",
            "apt's interface is for people and is not stable for scripts.",
            "Use apt-get.", "RUN apt install -y curl", "RUN apt-get install -y curl",
            (ctx, rule) => ForEachCommand(ctx, (run, cmd) =>
            {
                if (cmd.Name == "apt")
                {
                    ctx.Report(rule, run, "Do not use apt as it is meant to be an end-user tool, use apt-get or apt-cache instead");
                }
            })),
        Rule("LL-3042", Severity.Warning, "DL3042", null, "Avoid the pip cache with pip install --no-cache-dir",
            "pip's download cache ends up in the layer.",
            "Add --no-cache-dir (or set PIP_NO_CACHE_DIR, or use a cache mount).", "RUN pip install -r requirements.txt", "RUN pip install --no-cache-dir -r requirements.txt",
            (ctx, rule) =>
            {
                var envOff = ctx.All("ENV").Any(e => e.Args.Any(a => a.Value == "PIP_NO_CACHE_DIR"));
                if (envOff)
                {
                    return;
                }
                ForEachTool(ctx, "pip", (run, t) =>
                {
                    if (t.Subcommand == "install" && !t.HasOption("--no-cache-dir") && !HasCacheMount(run, "/root/.cache")
                        && !t.Command.Assignments.Any(a => a.Value.StartsWith("PIP_NO_CACHE_DIR=", StringComparison.Ordinal)))
                    {
                        ctx.Report(rule, run, "Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`");
                    }
                }, tools: ["pip", "pip3", "pip2", "python", "python3"]);
            }),
        Rule("LL-3047", Severity.Info, "DL3047", null, "wget without a progress option bloats build logs",
            "wget's default progress bar writes thousands of log lines.",
            "Add -q, -nv or --progress=dot:giga.", "RUN wget https://example.com/x.tgz", "RUN wget -q https://example.com/x.tgz",
            (ctx, rule) => ForEachTool(ctx, "wget", (run, t) =>
            {
                if (!t.HasOption("--progress", "--quiet", "--no-verbose", "-nv", "--output-file", "--append-output") && !t.HasShortOption('q') && !t.Options.Any(o => o.StartsWith("-o=", StringComparison.Ordinal) || o.StartsWith("-a=", StringComparison.Ordinal)))
                {
                    ctx.Report(rule, run, "Avoid use of wget without progress bar. Use `wget --progress=dot:giga <url>`. Or consider using `-q` or `-nv` (shorthands for `--quiet` or `--no-verbose`)");
                }
            })),
        Rule("LL-3059", Severity.Info, "DL3059", null, "Multiple consecutive RUN instructions",
            "Each RUN is a layer; consecutive ones can usually be one.",
            "Join them with &&.", "RUN apt-get update\nRUN apt-get install -y curl", "RUN apt-get update && apt-get install -y curl",
            (ctx, rule) =>
            {
                Instruction? previous = null;
                foreach (var i in ctx.Document.Instructions)
                {
                    if (i.Keyword == "RUN" && previous?.Keyword == "RUN" && SameFlags(i, previous))
                    {
                        ctx.Report(rule, i, "Multiple consecutive `RUN` instructions. Consider consolidation.");
                    }
                    previous = i;
                }
            }),
        Rule("LL-3060", Severity.Info, "DL3060", null, "yarn cache clean missing after yarn install",
            "Yarn's cache stays in the layer.",
            "Run yarn cache clean in the same RUN (or use a cache mount).", "RUN yarn install", "RUN yarn install && yarn cache clean",
            (ctx, rule) =>
            {
                foreach (var run in ctx.All("RUN"))
                {
                    var tools = ctx.Tools(run);
                    if (tools.Any(t => t.Tool == "yarn" && t.Subcommand == "install") && !tools.Any(t => t.Tool == "yarn" && t.Subcommand == "cache" && t.Packages.Contains("clean"))
                        && !HasCacheMount(run, "/usr/local/share/.cache/yarn"))
                    {
                        ctx.Report(rule, run, "`yarn cache clean` missing after `yarn install` was run.");
                    }
                }
            }),
        Rule("LL-4001", Severity.Warning, "DL4001", null, "Either use wget or curl, but not both",
            "Two download tools mean two packages to install and maintain.",
            "Pick one.", "RUN curl -o a https://x/a\nRUN wget https://x/b", "RUN curl -o a https://x/a\nRUN curl -O https://x/b",
            (ctx, rule) =>
            {
                foreach (var stage in ctx.Document.Stages)
                {
                    var runs = stage.Instructions.Where(i => i.Keyword == "RUN").ToList();
                    var curl = runs.Where(r => ctx.Script(r).Commands.Any(c => c.Name == "curl")).ToList();
                    var wget = runs.Where(r => ctx.Script(r).Commands.Any(c => c.Name == "wget")).ToList();
                    if (curl.Count > 0 && wget.Count > 0)
                    {
                        foreach (var r in curl.Concat(wget).Distinct().OrderBy(r => r.StartLine).Skip(1))
                        {
                            ctx.Report(rule, r, "Either use Wget or Curl but not both");
                        }
                    }
                }
            }),
        Rule("LL-4006", Severity.Warning, "DL4006", null, "Set the SHELL option -o pipefail before RUN with a pipe in it",
            "Without pipefail a failing command before a pipe is ignored and the build goes on.",
            "Add SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] (or set -o pipefail in the RUN).", "RUN wget -O - https://x | tar xz",
            "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://x | tar xz",
            (ctx, rule) =>
            {
                foreach (var stage in ctx.Document.Stages)
                {
                    var pipefail = false;
                    foreach (var i in stage.Instructions)
                    {
                        if (i.Keyword == "SHELL")
                        {
                            var args = i.Args.Select(a => a.Value).ToList();
                            pipefail = args.Contains("pipefail") || (args.Count > 0 && args[0].Contains("pwsh", StringComparison.OrdinalIgnoreCase)) || (args.Count > 0 && args[0].Contains("powershell", StringComparison.OrdinalIgnoreCase)) || (args.Count > 0 && args[0].Contains("cmd", StringComparison.OrdinalIgnoreCase));
                        }
                        if (i.Keyword == "RUN" && !i.IsJson && !pipefail)
                        {
                            var script = ctx.Script(i);
                            if (script.Commands.Any(c => c.Connector == "|") && !script.SetsPipefail)
                            {
                                ctx.Report(rule, i, "Set the SHELL option -o pipefail before RUN with a pipe in it");
                            }
                        }
                    }
                }
            }),
    ];

    internal static void ForEachCommand(LintContext ctx, Action<Instruction, ShellCommand> visit)
    {
        foreach (var run in ctx.All("RUN"))
        {
            foreach (var cmd in ctx.Script(run).Commands)
            {
                visit(run, cmd);
            }
        }
    }

    internal static void ForEachTool(LintContext ctx, string tool, Action<Instruction, ToolInvocation> visit, string[]? tools = null)
    {
        foreach (var run in ctx.All("RUN"))
        {
            foreach (var t in ctx.Tools(run))
            {
                if (t.Tool == tool || (tools != null && tools.Contains(t.Tool)) || (tool == "apt-get" && t.Tool == "apt"))
                {
                    visit(run, t);
                }
            }
        }
    }

    internal static bool HasCacheMount(Instruction run, string pathPrefix) =>
        run.FlagValues("mount").Any(m => m.Contains("type=cache", StringComparison.Ordinal)
            && m.Split(',').Any(p => (p.StartsWith("target=", StringComparison.Ordinal) || p.StartsWith("dst=", StringComparison.Ordinal) || p.StartsWith("destination=", StringComparison.Ordinal))
                && p[(p.IndexOf('=', StringComparison.Ordinal) + 1)..].StartsWith(pathPrefix, StringComparison.Ordinal)));

    /// <summary>True when some rm in the script removes <paramref name="path"/> (or a glob under it).</summary>
    internal static bool Removes(ShellScript script, string path) =>
        script.Commands.Any(c => c.Name == "rm" && c.Arguments.Any(a => !a.StartsWith('-') && (a.TrimEnd('*').TrimEnd('/') == path || a.StartsWith(path + "/", StringComparison.Ordinal) || path.StartsWith(a.TrimEnd('*').TrimEnd('/') + "/", StringComparison.Ordinal))));

    private static bool SameFlags(Instruction a, Instruction b) => a.Flags.Select(f => f.Value).SequenceEqual(b.Flags.Select(f => f.Value));

    private static bool IsPinnedPip(string p) =>
        p.Contains("==", StringComparison.Ordinal) || p.Contains(">=", StringComparison.Ordinal) || p.Contains("<=", StringComparison.Ordinal) || p.Contains("~=", StringComparison.Ordinal)
        || p.Contains('<', StringComparison.Ordinal) || p.Contains('>', StringComparison.Ordinal) || p.Contains("@", StringComparison.Ordinal)
        || p.Contains('/', StringComparison.Ordinal) || p == "." || p.EndsWith(".whl", StringComparison.Ordinal) || p.EndsWith(".tar.gz", StringComparison.Ordinal) || p.Contains('$', StringComparison.Ordinal);

    private static bool IsPinnedNpm(string p)
    {
        if (p.StartsWith('.') || p.StartsWith('/') || p.Contains("://", StringComparison.Ordinal) || p.StartsWith("git", StringComparison.Ordinal) || p.Contains('$', StringComparison.Ordinal))
        {
            return true;
        }
        var at = p.LastIndexOf('@');
        return at > 0; // "@scope/name" alone has its only @ at 0
    }
}
