using LayerLens.Analyzer.Optimisation.Context;

namespace LayerLens.Analyzer.Optimisation.Dependencies;

/// <summary>
/// What a RUN reads and writes, from a catalogue of commands whose file arguments are explicit. Any
/// command outside the catalogue, or any construct the parser cannot follow, makes the RUN touch everything.
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

    /// <summary>Result of analysing one RUN.</summary>
    public sealed record Result(InstructionEffect Effect, IReadOnlyList<(InstallCommand Install, string? Cwd)> Installs, IReadOnlyList<SimpleCommand> Commands);

    public static Result Analyze(string script, bool execForm, IReadOnlyList<string> execArgs, string? cwd, BuildContext context, string? pathVariable = null)
    {
        var pathDirectories = (pathVariable ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(p => ImagePaths.Resolve(p, cwd).Path).ToList();

        var effect = new InstructionEffect { ReadsAllState = true };
        var installs = new List<(InstallCommand, string?)>();
        List<SimpleCommand> commands;
        if (execForm)
        {
            var command = new SimpleCommand();
            command.Words.AddRange(execArgs.Select(a => new ShellWord(a, false, false)));
            commands = [command];
        }
        else
        {
            var parsed = ShellScript.Parse(script);
            if (parsed.IsOpaque)
            {
                effect.MarkUnknown(parsed.OpaqueReason!);
                return new Result(effect, installs, parsed.Commands);
            }
            commands = parsed.Commands;
        }
        foreach (var command in commands)
        {
            foreach (var redirect in command.Redirects)
            {
                if (redirect.Target.Text is "/dev/null" or "/dev/stdout" or "/dev/stderr")
                {
                    continue;
                }
                var access = ImagePaths.Resolve(redirect.Target, cwd);
                (redirect.Operator == "<" ? effect.Reads : effect.Writes).Add(access);
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
            var args = command.Arguments.ToList();
            var operands = Operands(args);
            if (name == "busybox" && args.Count > 0)
            {
                // busybox APPLET args: the applet is the command. "--install" writes links into a directory.
                if (args[0].Text == "--install")
                {
                    effect.Writes.Add(operands.Count > 0 ? ImagePaths.Resolve(operands[^1], cwd) : PathAccess.Anything);
                    effect.Reads.Add(new PathAccess("/bin/busybox"));
                    continue;
                }
                name = args[0].Text;
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
                    cwd = dir is { HasExpansion: false, HasGlob: false } && (cwd is not null || dir.Text.StartsWith('/'))
                        ? ImagePaths.Join(cwd ?? "/", dir.Text)
                        : null;
                    continue;
                case "cp" or "mv" or "ln" when !args.Any(a => a.Text.StartsWith("-t", StringComparison.Ordinal) || a.Text.StartsWith("--target", StringComparison.Ordinal)) && operands.Count >= 2:
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
            if (PackageManagers.SystemInstallers.Contains(name))
            {
                foreach (var root in ImagePaths.SystemRoots)
                {
                    effect.Reads.Add(new PathAccess(root));
                    effect.Writes.Add(new PathAccess(root));
                }
                continue;
            }
            var install = PackageManagers.Recognise(command, context, out var opaque);
            if (install is null)
            {
                effect.MarkUnknown(opaque ?? $"'{name}' is not a command whose file effects are known");
                continue;
            }
            installs.Add((install, cwd));
            AddInstallEffects(effect, install, cwd);
        }
        return new Result(effect, installs, commands);
    }

    public static void AddInstallEffects(InstructionEffect effect, InstallCommand install, string? cwd)
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
            if (options && a.Text == "--")
            {
                options = false;
                continue;
            }
            if (options && a.Text.StartsWith('-') && a.Text.Length > 1)
            {
                continue;
            }
            result.Add(a);
        }
        return result;
    }
}
