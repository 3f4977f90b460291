using LayerLens.Analyzer.Dockerfiles.Shell;
using LayerLens.Analyzer.BuildContexts;

namespace LayerLens.Analyzer.Optimisation.Dependencies;

/// <summary>
/// What a RUN reads and writes, from the Dockerfile engine's shell parse and tool recognition plus a
/// catalogue of commands whose file arguments are explicit. Any command outside the catalogue, or any
/// construct whose order of execution is not plain (subshells, control flow, substitutions, here-documents,
/// background jobs), makes the RUN touch everything.
/// </summary>
public static class RunAnalyzer
{
    /// <summary>Shell builtins: no program file is loaded and no file is touched.</summary>
    private static readonly HashSet<string> Builtins = new(StringComparer.Ordinal)
    {
        "true", "false", "echo", "printf", "exit", ":", "set", "export", "unset", "umask", "cd",
    };

    private static readonly HashSet<string> NoFiles = new(StringComparer.Ordinal)
    {
        "sleep", "sync", "whoami", "id", "uname", "date", "env", "nproc",
    };

    /// <summary>Where programs and the libraries and configuration they load come from.</summary>
    private static readonly string[] ProgramDirectories =
        ["/bin", "/sbin", "/usr", "/lib", "/lib64", "/etc"];

    private static readonly HashSet<string> ReadsArguments = new(StringComparer.Ordinal)
    {
        "cat", "head", "tail", "wc", "sha256sum", "sha1sum", "sha512sum", "md5sum", "ls", "stat", "diff", "cmp", "test", "[", "du", "sort", "uniq", "file",
    };

    private static readonly HashSet<string> WritesArguments = new(StringComparer.Ordinal) { "mkdir", "touch", "rm", "rmdir" };

    /// <summary>Commands whose reads and writes are confined to system directories (package managers, user and locale tools).</summary>
    public static readonly HashSet<string> SystemCommands = new(StringComparer.Ordinal)
    {
        "apt-get", "apt", "apk", "yum", "dnf", "microdnf", "zypper", "dpkg", "rpm", "update-ca-certificates", "ldconfig",
        "useradd", "adduser", "groupadd", "addgroup", "usermod", "locale-gen", "update-alternatives", "dpkg-reconfigure",
    };

    /// <summary>Result of analysing one RUN.</summary>
    public sealed record Result(InstructionEffect Effect, IReadOnlyList<(InstallFootprint Install, string? Cwd)> Installs, IReadOnlyList<ShellCommand> Commands);

    public static Result Analyze(string script, bool execForm, IReadOnlyList<string> execArgs, string? cwd, BuildContext context, string? pathVariable = null)
    {
        var pathDirectories = (pathVariable ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(p => ImagePaths.Resolve(p, cwd).Path).ToList();

        var effect = new InstructionEffect { ReadsAllState = true };
        var installs = new List<(InstallFootprint, string?)>();
        List<ShellCommand> commands;
        if (execForm)
        {
            commands = [ShellCommand.FromArguments(execArgs)];
        }
        else
        {
            var parsed = ShellParser.Parse(script);
            commands = [.. parsed.Commands.Where(c => c.Words.Count > 0 || c.Redirects.Count > 0)];
            if (Unfollowable(parsed) is { } reason)
            {
                effect.MarkUnknown(reason);
                return new Result(effect, installs, commands);
            }
        }
        foreach (var command in commands)
        {
            foreach (var redirect in command.Redirects)
            {
                if (redirect.Operator is "<<<" || redirect.Operator is ">&" or "<&" && redirect.Target?.Value is { } fd && (fd == "-" || fd.All(char.IsAsciiDigit)))
                {
                    continue; // a here-string or a descriptor duplicate (2>&1) touches no file
                }
                if (redirect.Target!.Value is "/dev/null" or "/dev/stdout" or "/dev/stderr")
                {
                    continue;
                }
                var access = ImagePaths.Resolve(redirect.Target, cwd);
                (redirect.Operator == "<" ? effect.Reads : effect.Writes).Add(access);
                if (redirect.Operator == "<>")
                {
                    effect.Reads.Add(access);
                }
            }
            if (command.Words.Count == 0)
            {
                continue;
            }
            var name = command.Words[0].HasExpansion ? "$" : Path.GetFileName(command.Name);
            if (!Builtins.Contains(name))
            {
                // Running a program reads it, its libraries and configuration: a COPY into those places cannot move past it.
                effect.Reads.AddRange(ProgramDirectories.Select(d => new PathAccess(d)));
                effect.Reads.AddRange(pathDirectories.Select(d => new PathAccess(d)));
                if (command.Name.Contains('/', StringComparison.Ordinal))
                {
                    effect.Reads.Add(ImagePaths.Resolve(command.Words[0], cwd));
                }
            }
            var args = command.Words.Skip(1).ToList();
            var operands = Operands(args);
            if (name == "busybox" && args.Count > 0)
            {
                // busybox APPLET args: the applet is the command. "--install" writes links into a directory.
                if (args[0].Value == "--install")
                {
                    effect.Writes.Add(operands.Count > 0 ? ImagePaths.Resolve(operands[^1], cwd) : PathAccess.Anything);
                    effect.Reads.Add(new PathAccess("/bin/busybox"));
                    continue;
                }
                name = args[0].Value;
                args = args.Skip(1).ToList();
                operands = Operands(args);
            }
            if (NoFiles.Contains(name) || Builtins.Contains(name) && name != "cd")
            {
                continue;
            }
            if (ReadsArguments.Contains(name))
            {
                effect.Reads.AddRange(operands.Select(o => ImagePaths.Resolve(o, cwd)));
                continue;
            }
            if (WritesArguments.Contains(name))
            {
                effect.Writes.AddRange(operands.Select(o => ImagePaths.Resolve(o, cwd)));
                continue;
            }
            switch (name)
            {
                case "cd":
                    var dir = operands.Count == 1 ? operands[0] : null;
                    cwd = dir is { HasExpansion: false, HasGlob: false } && (cwd is not null || dir.Value.StartsWith('/'))
                        ? ImagePaths.Join(cwd ?? "/", dir.Value)
                        : null;
                    continue;
                case "cp" or "mv" or "ln" when !args.Any(a => a.Value.StartsWith("-t", StringComparison.Ordinal) || a.Value.StartsWith("--target", StringComparison.Ordinal)) && operands.Count >= 2:
                    var target = ImagePaths.Resolve(operands[^1], cwd);
                    effect.Writes.Add(target);
                    foreach (var source in operands.Take(operands.Count - 1))
                    {
                        var s = ImagePaths.Resolve(source, cwd);
                        if (name != "ln")
                        {
                            effect.Reads.Add(s);
                        }
                        if (name == "mv")
                        {
                            effect.Writes.Add(s);
                        }
                    }
                    continue;
                case "chmod" or "chown" or "chgrp" when operands.Count >= 2:
                    foreach (var path in operands.Skip(1))
                    {
                        var p = ImagePaths.Resolve(path, cwd);
                        effect.Reads.Add(p);
                        effect.Writes.Add(p);
                    }
                    continue;
            }
            if (SystemCommands.Contains(name))
            {
                foreach (var root in ImagePaths.SystemRoots)
                {
                    effect.Reads.Add(new PathAccess(root));
                    effect.Writes.Add(new PathAccess(root));
                }
                continue;
            }
            if (Install(command, context, out var opaque) is not { } install)
            {
                effect.MarkUnknown(opaque ?? $"'{name}' is not a command whose file effects are known");
                continue;
            }
            installs.Add((install, cwd));
            AddInstallEffects(effect, install, cwd);
        }
        return new Result(effect, installs, commands);
    }

    /// <summary>Why the commands of a script cannot be followed in order, or null when they can.</summary>
    private static string? Unfollowable(ShellScript script)
    {
        if (script.Unterminated)
        {
            return "unterminated quote or substitution";
        }
        if (script.ControlKeywords.Count > 0)
        {
            return $"compound command '{script.ControlKeywords.Order(StringComparer.Ordinal).First()}'";
        }
        foreach (var command in script.Commands)
        {
            if (command.Depth > 0 || command.Connector is "(" or ")")
            {
                return "subshell or function";
            }
            if (command.Connector == "&")
            {
                return "background job (&)";
            }
            if (command.Words.Concat(command.Assignments).Concat(command.Redirects.Select(r => r.Target).OfType<ShellWord>()).Any(w => w.HasCommandSubstitution))
            {
                return "command substitution";
            }
            if (command.Redirects.Any(r => r.Operator is "<<" or "<<-"))
            {
                return "here-document";
            }
            if (command.Redirects.Any(r => r.Target is null))
            {
                return "redirection without a target";
            }
        }
        return null;
    }

    /// <summary>The dependency install a command performs, when it reads only its manifests and the context proves no project code runs.</summary>
    private static InstallFootprint? Install(ShellCommand command, BuildContext context, out string? opaque)
    {
        opaque = null;
        if (ToolRecognizer.Recognize(command) is not { } tool)
        {
            return null;
        }
        if (tool.RunsProjectCode is { } runs)
        {
            opaque = runs;
            return null;
        }
        if (tool.Footprint is not { } footprint)
        {
            opaque = $"'{tool.Tool} {tool.Subcommand}' is not an install whose file effects are known";
            return null;
        }
        opaque = ManifestHook.Find(footprint.Hooks, context.IsKnown ? context.Files.Select(f => f.Path).ToList() : null, path => ReadSmall(context, path));
        return opaque is null ? footprint : null;
    }

    private static string? ReadSmall(BuildContext context, string path)
    {
        if (context.Get(path) is not { IsSymlink: false, Size: <= 4 * 1024 * 1024 })
        {
            return null;
        }
        return File.ReadAllText(Path.Combine(context.Root!, path));
    }

    public static void AddInstallEffects(InstructionEffect effect, InstallFootprint install, string? cwd)
    {
        foreach (var manifest in install.Manifests)
        {
            effect.Reads.Add(manifest.StartsWith("**/", StringComparison.Ordinal) ? ImagePaths.Resolve(".", cwd) : ImagePaths.Resolve(manifest, cwd));
        }
        foreach (var write in install.RelativeWrites)
        {
            effect.Writes.Add(write.StartsWith("**/", StringComparison.Ordinal) ? ImagePaths.Resolve(".", cwd) : ImagePaths.Resolve(write, cwd));
        }
        foreach (var write in install.AbsoluteWrites)
        {
            effect.Writes.Add(new PathAccess(write));
            effect.Reads.Add(new PathAccess(write));
        }
    }

    /// <summary>Non-option arguments ("--" ends options).</summary>
    private static List<ShellWord> Operands(IEnumerable<ShellWord> args)
    {
        var result = new List<ShellWord>();
        var options = true;
        foreach (var a in args)
        {
            if (options && a.Value == "--")
            {
                options = false;
                continue;
            }
            if (options && a.Value.StartsWith('-') && a.Value.Length > 1)
            {
                continue;
            }
            result.Add(a);
        }
        return result;
    }
}
