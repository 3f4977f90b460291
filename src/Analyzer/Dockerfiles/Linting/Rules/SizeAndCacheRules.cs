using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Shell;
using static LayerLens.Analyzer.Dockerfiles.Linting.Rules.RuleFactory;

namespace LayerLens.Analyzer.Dockerfiles.Linting.Rules;

/// <summary>LayerLens's own rules about image size and the layer cache.</summary>
internal static class SizeAndCacheRules
{
    private static readonly HashSet<string> Toolchains = new(StringComparer.Ordinal)
    {
        "build-essential", "gcc", "g++", "make", "cmake", "clang", "llvm", "autoconf", "automake", "libtool", "pkg-config", "pkgconf",
        "golang", "go", "rust", "cargo", "maven", "gradle", "openjdk-17-jdk", "openjdk-21-jdk", "default-jdk", "python3-dev", "python-dev",
        "musl-dev", "linux-headers", "alpine-sdk", "gcc-c++", "kernel-devel", "dotnet-sdk-8.0", "nodejs-dev",
    };

    public static IEnumerable<RuleDefinition> Rules =>
    [
        Rule("LL-1001", Severity.Warning, null, null, "Broad COPY of the build context before installing dependencies",
            "Copying the whole context first means any source edit invalidates the dependency install layer and every layer after it.",
            "Copy only the dependency manifests, install, then copy the rest.",
            "COPY . /app\nRUN npm ci", "COPY package.json package-lock.json /app/\nRUN npm ci\nCOPY . /app",
            (ctx, rule) =>
            {
                foreach (var stage in ctx.Document.Stages)
                {
                    Instruction? broad = null;
                    foreach (var i in stage.Instructions)
                    {
                        if (broad == null && i.Keyword is "COPY" or "ADD" && i.FlagValue("from") == null && i.Args.Count >= 2
                            && i.Args.Take(i.Args.Count - 1).Any(a => a.Value is "." or "./" or "*" or "./*"))
                        {
                            broad = i;
                            continue;
                        }
                        if (broad != null && i.Keyword == "RUN")
                        {
                            var install = ctx.Tools(i).FirstOrDefault(t => t.Reads.Any(r => r != "." && !r.StartsWith('*')));
                            if (install != null)
                            {
                                ctx.Report(rule, broad, $"COPY of the whole build context before `{install.Tool} {install.Subcommand}` (line {i.StartLine}): any source change re-runs the install; copy {string.Join(", ", install.Reads.Where(r => r != ".").Take(2))} first");
                                break;
                            }
                        }
                    }
                }
            }),
        Rule("LL-1002", Severity.Warning, null, null, "apt-get update without install in the same RUN",
            "A cached 'apt-get update' layer keeps a stale index; a later install then fails or installs old versions.",
            "Run update and install in one RUN.", "RUN apt-get update\nRUN apt-get install -y curl", "RUN apt-get update && apt-get install -y curl",
            (ctx, rule) =>
            {
                foreach (var run in ctx.All("RUN"))
                {
                    var apt = ctx.Tools(run).Where(t => t.Tool is "apt-get" or "apt").ToList();
                    if (apt.Any(t => t.Subcommand == "update") && !apt.Any(t => t.Subcommand is "install" or "upgrade" or "dist-upgrade" or "full-upgrade" or "build-dep"))
                    {
                        ctx.Report(rule, run, "apt-get update without apt-get install in the same RUN: the index is cached separately and goes stale");
                    }
                }
            }),
        Rule("LL-1003", Severity.Info, null, null, "Package manager cache left in the layer",
            "Download caches are shipped in the layer that created them, though the container never reads them.",
            "Clean the cache in the same RUN, disable it, or use RUN --mount=type=cache.",
            "RUN dnf install -y gcc", "RUN dnf install -y gcc && dnf clean all",
            (ctx, rule) =>
            {
                foreach (var run in ctx.All("RUN"))
                {
                    var script = ctx.Script(run);
                    var tools = ctx.Tools(run);
                    foreach (var t in tools)
                    {
                        string? cache = t.Tool switch
                        {
                            "yum" or "dnf" or "microdnf" when t.Subcommand is "install" or "update" or "upgrade" or "groupinstall" => "/var/cache/" + (t.Tool == "yum" ? "yum" : "dnf"),
                            "zypper" when t.Subcommand is "install" or "in" or "update" or "up" => "/var/cache/zypp",
                            "npm" when t.Subcommand is "install" or "i" or "ci" => "/root/.npm",
                            _ => null,
                        };
                        if (cache == null || HasCacheMount(run, cache) || RunRules.Removes(script, cache)
                            || tools.Any(o => o.Tool == t.Tool && (o.Subcommand is "clean" || (o.Subcommand == "cache" && o.Packages.Contains("clean")))))
                        {
                            continue;
                        }
                        ctx.Report(rule, run, $"`{t.Tool} {t.Subcommand}` leaves its cache ({cache}) in this layer; clean it in the same RUN or use a cache mount");
                        break;
                    }
                }
            }),
        Rule("LL-1004", Severity.Warning, null, null, "Files created in one RUN and removed in a later one",
            "Deleting in a later layer hides the files but the earlier layer still ships every byte.",
            "Create and delete in the same RUN, or use a multi-stage build.",
            "RUN curl -o /tmp/src.tgz https://x/src.tgz\nRUN rm /tmp/src.tgz", "RUN curl -o /tmp/src.tgz https://x/src.tgz && tar xzf /tmp/src.tgz && rm /tmp/src.tgz",
            (ctx, rule) =>
            {
                foreach (var stage in ctx.Document.Stages)
                {
                    // Exact paths for lookups, a sorted set for "everything under this directory" in O(log n).
                    var created = new Dictionary<string, Instruction>(StringComparer.Ordinal);
                    var sorted = new SortedSet<string>(StringComparer.Ordinal);
                    void Add(string path, Instruction origin)
                    {
                        created[path] = origin;
                        sorted.Add(path);
                    }
                    foreach (var i in stage.Instructions)
                    {
                        if (i.Keyword is "COPY" or "ADD" && i.Args.Count >= 2)
                        {
                            Add(Normalize(i.Args[^1].Value), i);
                            continue;
                        }
                        if (i.Keyword != "RUN")
                        {
                            continue;
                        }
                        var script = ctx.Script(i);
                        var reported = false;
                        foreach (var cmd in script.Commands)
                        {
                            if (cmd.Name != "rm" || reported)
                            {
                                continue;
                            }
                            foreach (var target in cmd.Arguments.Where(a => !a.StartsWith('-')).Select(Normalize))
                            {
                                string? hit = created.TryGetValue(target, out var exact) && exact != i ? target : null;
                                if (hit == null && target != "/")
                                {
                                    var under = sorted.GetViewBetween(target + "/", target + "0");
                                    hit = under.FirstOrDefault(k => created[k] != i);
                                }
                                if (hit != null)
                                {
                                    var origin = created[hit];
                                    ctx.Report(rule, i, $"'{target}' was created by the {origin.Keyword} on line {origin.StartLine} and is removed here; the bytes stay in the earlier layer");
                                    created.Remove(hit);
                                    sorted.Remove(hit);
                                    reported = true;
                                    break;
                                }
                            }
                        }
                        foreach (var path in CreatedPaths(script, ctx.Tools(i)))
                        {
                            Add(path, i);
                        }
                    }
                }
            }),
        Rule("LL-1005", Severity.Warning, null, null, "chmod/chown in a RUN after the COPY that brought the files",
            "Changing owner or mode copies every file into a new layer: the image ships them twice.",
            "Use COPY --chown / --chmod.", "COPY app /app\nRUN chown -R app:app /app", "COPY --chown=app:app app /app",
            (ctx, rule) =>
            {
                foreach (var stage in ctx.Document.Stages)
                {
                    var copied = new Dictionary<string, Instruction>(StringComparer.Ordinal);
                    foreach (var i in stage.Instructions)
                    {
                        if (i.Keyword is "COPY" or "ADD" && i.Args.Count >= 2)
                        {
                            copied[Normalize(i.Args[^1].Value)] = i;
                            continue;
                        }
                        if (i.Keyword != "RUN" || copied.Count == 0)
                        {
                            continue;
                        }
                        foreach (var cmd in ctx.Script(i).Commands.Where(c => c.Name is "chmod" or "chown"))
                        {
                            // The target itself or any directory above it came from a COPY.
                            var copy = cmd.Arguments.Where(a => !a.StartsWith('-')).Skip(1).Select(Normalize).Select(t => CopiedAncestor(copied, t)).FirstOrDefault(c => c != null);
                            if (copy != null)
                            {
                                ctx.Report(rule, i, $"`{cmd.Name}` of files brought by the {copy.Keyword} on line {copy.StartLine} duplicates them in a new layer; use {copy.Keyword} --{cmd.Name}");
                                break;
                            }
                        }
                    }
                }
            }),
        Rule("LL-1006", Severity.Warning, null, null, "ADD of a remote URL without a checksum",
            "A remote ADD is re-downloaded on cache checks and its content is unverified; a remote archive is not even extracted.",
            "Add --checksum=sha256:..., or download with curl and verify, extracting in the same RUN.",
            "ADD https://example.com/tool.tar.gz /opt/", "ADD --checksum=sha256:9f86d0... https://example.com/tool.tar.gz /opt/",
            (ctx, rule) =>
            {
                foreach (var add in ctx.All("ADD"))
                {
                    if (add.FlagValue("checksum") != null)
                    {
                        continue;
                    }
                    foreach (var source in add.Args.Take(Math.Max(0, add.Args.Count - 1)))
                    {
                        if (InstructionRules.IsUrl(source.Value))
                        {
                            var archive = InstructionRules.IsArchive(source.Value) ? " (remote archives are not extracted by ADD)" : "";
                            ctx.Report(rule, source.Range, $"ADD of remote URL '{source.Value}' without --checksum{archive}");
                        }
                    }
                }
            }),
        Rule("LL-1007", Severity.Info, null, null, "Build toolchain installed in a single-stage image",
            "Compilers and SDKs needed only to build are shipped to production, adding size and attack surface.",
            "Build in a separate stage and copy only the artefacts into a slim final stage.",
            "FROM debian:12\nRUN apt-get install -y build-essential && make", "FROM debian:12 AS build\nRUN apt-get install -y build-essential && make\nFROM debian:12-slim\nCOPY --from=build /out /app",
            (ctx, rule) =>
            {
                if (ctx.Document.Stages.Count != 1)
                {
                    return;
                }
                foreach (var run in ctx.Document.Stages[0].Instructions.Where(i => i.Keyword == "RUN"))
                {
                    var tool = ctx.Tools(run).FirstOrDefault(t => t.Subcommand is "install" or "add" && t.Tool is "apt-get" or "apt" or "apk" or "yum" or "dnf" or "microdnf" or "zypper"
                        && t.Packages.Any(p => Toolchains.Contains(p.Split('=')[0])));
                    if (tool != null)
                    {
                        var package = tool.Packages.First(p => Toolchains.Contains(p.Split('=')[0]));
                        ctx.Report(rule, run, $"Build toolchain '{package}' is installed in the final (only) stage; build in a separate stage");
                    }
                }
            }),
    ];

    private static bool HasCacheMount(Instruction run, string path) => RunRules.HasCacheMount(run, path);

    private static Instruction? CopiedAncestor(Dictionary<string, Instruction> copied, string path)
    {
        while (true)
        {
            if (copied.TryGetValue(path, out var copy))
            {
                return copy;
            }
            var slash = path.LastIndexOf('/');
            if (slash <= 0)
            {
                return null;
            }
            path = path[..slash];
        }
    }

    private static string Normalize(string path)
    {
        path = StageRules.Unquote(path).TrimEnd('*').TrimEnd('/');
        return path.Length == 0 ? "/" : path;
    }

    /// <summary>Absolute paths a script visibly creates: downloads' outputs, redirect targets, cp/mv/git clone destinations.</summary>
    private static IEnumerable<string> CreatedPaths(ShellScript script, IReadOnlyList<ToolInvocation> tools)
    {
        foreach (var t in tools)
        {
            if (t.Tool is "curl" or "wget")
            {
                foreach (var w in t.Writes.Where(w => w.StartsWith('/')))
                {
                    yield return Normalize(w);
                }
            }
        }
        foreach (var cmd in script.Commands)
        {
            foreach (var r in cmd.Redirects)
            {
                if (r.Operator is ">" or ">>" && r.Target?.Value is { } target && target.StartsWith('/') && !target.StartsWith("/dev/", StringComparison.Ordinal))
                {
                    yield return Normalize(target);
                }
            }
            // mkdir and touch create empty entries: removing them later wastes nothing.
            if (cmd.Name is "cp" or "mv" or "git")
            {
                var args = cmd.Arguments.Where(a => !a.StartsWith('-')).ToList();
                if (args.Count >= 2 && args[^1].StartsWith('/'))
                {
                    yield return Normalize(args[^1]);
                }
            }
        }
    }
}
