namespace LayerLens.Analyzer.Dockerfiles.Shell;

/// <summary>
/// Recognises package managers and build tools in simple commands: apt-get/apt, apk, yum/dnf/microdnf,
/// zypper, pip/pip3/python -m pip, poetry, pipenv, npm/yarn/pnpm, gem/bundle, go, cargo, composer,
/// mvn/gradle, dotnet, curl/wget. Wrappers (sudo, env, time, nohup, exec, command) are looked through.
/// </summary>
public static class ToolRecognizer
{
    private static readonly HashSet<string> Wrappers = new(StringComparer.Ordinal) { "sudo", "env", "time", "nohup", "exec", "command", "nice", "stdbuf" };

    // Options that take a separate value, per tool, so the value is not mistaken for a package.
    private static readonly Dictionary<string, HashSet<string>> ValueOptions = new(StringComparer.Ordinal)
    {
        ["apt-get"] = ["-o", "-c", "-t", "--target-release", "--option", "--config-file"],
        ["apk"] = ["-X", "--repository", "-t", "--virtual", "--root", "-p", "--keys-dir", "--repositories-file", "--arch", "--cache-dir"],
        ["yum"] = ["--enablerepo", "--disablerepo", "--setopt", "--installroot", "--releasever", "-c", "--exclude", "-x"],
        ["zypper"] = ["-r", "--repo", "--from", "-t", "--type"],
        ["pip"] = ["-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url", "-t", "--target", "--prefix", "--root", "-f", "--find-links", "--trusted-host", "--cache-dir", "--platform", "--python-version", "--only-binary", "--no-binary"],
        ["npm"] = ["--prefix", "--registry", "--cache", "-w", "--workspace", "--omit", "--include"],
        ["yarn"] = ["--cwd", "--cache-folder", "--modules-folder", "--network-timeout", "--registry"],
        ["pnpm"] = ["--dir", "-C", "--filter", "--store-dir"],
        ["gem"] = ["-v", "--version", "-i", "--install-dir", "-n", "--bindir", "--source", "-s"],
        ["bundle"] = ["--jobs", "-j", "--retry", "--path", "--without", "--with", "--gemfile"],
        ["go"] = ["-o", "-C", "-ldflags", "-gcflags", "-tags", "-mod", "-p"],
        ["cargo"] = ["--target", "--features", "-F", "-p", "--package", "--bin", "--manifest-path", "-j", "--jobs", "--root", "--target-dir", "--version", "--git", "--branch", "--tag", "--rev", "--path"],
        ["composer"] = ["--working-dir", "-d"],
        ["mvn"] = ["-f", "--file", "-s", "--settings", "-P", "-pl", "--projects", "-T", "-D"],
        ["gradle"] = ["-p", "--project-dir", "-b", "--build-file", "-x", "--exclude-task", "-P", "-D"],
        ["dotnet"] = ["-c", "--configuration", "-o", "--output", "-r", "--runtime", "-f", "--framework", "-s", "--source", "--packages", "-p", "--property", "-v", "--verbosity", "--version"],
        ["curl"] = ["-o", "--output", "-H", "--header", "-d", "--data", "-u", "--user", "-X", "--request", "-A", "--user-agent", "-e", "--referer", "--retry", "-m", "--max-time", "--connect-timeout", "-w", "--write-out", "--cacert", "-x", "--proxy", "--data-binary", "-T", "--upload-file", "-F", "--form", "-b", "--cookie", "-c", "--cookie-jar", "-r", "--range", "-C", "--continue-at", "-K", "--config", "-E", "--cert", "--key"],
        ["wget"] = ["-O", "--output-document", "-P", "--directory-prefix", "-o", "--output-file", "-a", "--append-output", "-U", "--user-agent", "--header", "-t", "--tries", "-T", "--timeout", "--user", "--password", "-e", "--execute", "-i", "--input-file"],
    };

    public static IEnumerable<ToolInvocation> Recognize(ShellScript script)
    {
        foreach (var command in script.Commands)
        {
            if (Recognize(command) is { } tool)
            {
                yield return tool;
            }
        }
    }

    private static readonly HashSet<string> KnownTools = new(StringComparer.Ordinal)
    {
        "python", "python3", "python2", "apt-get", "apt", "apk", "yum", "dnf", "microdnf", "zypper", "pip", "pip3", "pip2",
        "poetry", "pipenv", "npm", "yarn", "pnpm", "gem", "bundle", "bundler", "go", "cargo", "composer", "composer.phar", "mvn", "mvnw",
        "gradle", "gradlew", "dotnet", "curl", "wget",
    };

    public static ToolInvocation? Recognize(ShellCommand command) =>
        RecognizeTool(command) is { } tool ? InstallFootprints.Attach(tool) : null;

    private static ToolInvocation? RecognizeTool(ShellCommand command)
    {
        var all = command.Words;
        var i = 0;
        while (i < all.Count && Wrappers.Contains(BaseName(all[i].Value)))
        {
            i++;
            // Skip the wrapper's own options and env's NAME=value pairs.
            while (i < all.Count && (all[i].Value.StartsWith('-') || all[i].Value.Contains('=', StringComparison.Ordinal)))
            {
                i++;
            }
        }
        if (i >= all.Count)
        {
            return null;
        }
        var name = BaseName(all[i].Value);
        if (!KnownTools.Contains(name))
        {
            return null; // most commands in a RUN are not tools: no allocation for them
        }
        var rest = new List<string>(all.Count - i - 1);
        for (var k = i + 1; k < all.Count; k++)
        {
            rest.Add(all[k].Value);
        }
        switch (name)
        {
            case "python" or "python3" or "python2" when rest.Count >= 2 && rest[0] == "-m" && rest[1] is "pip" or "pip3":
                return Pip(rest.Skip(2).ToList(), command);
            case "apt-get" or "apt":
                return Build(name, "apt-get", rest, command, Apt);
            case "apk":
                return Build(name, "apk", rest, command, Apk);
            case "yum" or "dnf" or "microdnf":
                return Build(name, "yum", rest, command, Yum);
            case "zypper":
                return Build(name, "zypper", rest, command, Zypper);
            case "pip" or "pip3" or "pip2":
                return Pip(rest, command, name);
            case "poetry":
                return Build(name, "pip", rest, command, (sub, opts, pk) => sub is "install" or "lock" or "update" ? (["pyproject.toml", "poetry.lock"], ["/root/.cache/pypoetry"]) : ([], []));
            case "pipenv":
                return Build(name, "pip", rest, command, (sub, opts, pk) => sub is "install" or "sync" or "lock" ? (["Pipfile", "Pipfile.lock"], ["/root/.cache/pipenv"]) : ([], []));
            case "npm":
                return Build(name, "npm", rest, command, Npm);
            case "yarn":
                return Build(name, "yarn", rest.Count == 0 ? ["install"] : rest, command, (sub, opts, pk) =>
                    sub is "install" || (sub == "add" && pk.Count == 0) ? (["package.json", "yarn.lock", ".yarnrc", ".yarnrc.yml"], ["node_modules", "/usr/local/share/.cache/yarn"]) : ([], []));
            case "pnpm":
                return Build(name, "pnpm", rest, command, (sub, opts, pk) =>
                    sub is "install" or "i" or "fetch" ? (["package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml"], ["node_modules", "/root/.local/share/pnpm/store"]) : ([], []));
            case "gem":
                return Build(name, "gem", rest, command, (sub, opts, pk) => sub == "install" ? ([], ["/root/.gem", "/usr/local/bundle/cache"]) : ([], []));
            case "bundle" or "bundler":
                return Build("bundle", "bundle", rest.Count == 0 ? ["install"] : rest, command, (sub, opts, pk) =>
                    sub is "install" or "update" or "package" ? (["Gemfile", "Gemfile.lock"], ["/usr/local/bundle"]) : ([], []));
            case "go":
                return Build(name, "go", rest, command, (sub, opts, pk) => sub switch
                {
                    "mod" => (["go.mod", "go.sum"], ["/root/go/pkg/mod"]),
                    "build" or "install" or "test" or "run" or "vet" or "generate" => (["go.mod", "go.sum", "."], ["/root/.cache/go-build", "/root/go/pkg/mod"]),
                    "get" => (["go.mod", "go.sum"], ["/root/go/pkg/mod"]),
                    _ => ([], []),
                });
            case "cargo":
                return Build(name, "cargo", rest, command, (sub, opts, pk) => sub switch
                {
                    "fetch" => (["Cargo.toml", "Cargo.lock"], ["/usr/local/cargo/registry"]),
                    "build" or "test" or "run" or "check" => (["Cargo.toml", "Cargo.lock", "."], ["target", "/usr/local/cargo/registry"]),
                    "install" => (pk.Count == 0 ? ["Cargo.toml", "Cargo.lock", "."] : [], ["/usr/local/cargo/registry"]),
                    _ => ([], []),
                });
            case "composer" or "composer.phar":
                return Build("composer", "composer", rest, command, (sub, opts, pk) => sub is "install" or "update" or "require" ? (["composer.json", "composer.lock"], ["vendor", "/root/.composer/cache"]) : ([], []));
            case "mvn" or "mvnw":
                return Build("mvn", "mvn", rest, command, (sub, opts, pk) => (["pom.xml", "."], ["/root/.m2/repository", "target"]), subcommandIsGoal: true);
            case "gradle" or "gradlew":
                return Build("gradle", "gradle", rest, command, (sub, opts, pk) => (["build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "gradle.properties", "."], ["/root/.gradle/caches", "build"]), subcommandIsGoal: true);
            case "dotnet":
                return Build(name, "dotnet", rest, command, (sub, opts, pk) => sub switch
                {
                    "restore" => (["*.csproj", "*.fsproj", "*.sln", "NuGet.config", "packages.lock.json", "Directory.Packages.props", "Directory.Build.props"], ["/root/.nuget/packages"]),
                    "build" or "publish" or "test" or "pack" => (["*.csproj", "*.sln", "."], ["/root/.nuget/packages", "bin", "obj"]),
                    _ => ([], []),
                });
            case "curl":
                return Download(name, rest, command, ["-o", "--output"], "-O");
            case "wget":
                return Download(name, rest, command, ["-O", "--output-document"], null);
        }
        return null;
    }

    private static string BaseName(string word)
    {
        var slash = word.LastIndexOf('/');
        return slash >= 0 ? word[(slash + 1)..] : word;
    }

    private delegate (List<string> Reads, List<string> Writes) FileModel(string? subcommand, List<string> options, List<string> packages);

    private static ToolInvocation Build(string tool, string optionTable, List<string> args, ShellCommand command, FileModel files, bool subcommandIsGoal = false)
    {
        var valueOptions = ValueOptions.GetValueOrDefault(optionTable) ?? [];
        var options = new List<string>();
        var positional = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (a.Length > 1 && a[0] == '-')
            {
                if (valueOptions.Contains(a) && i + 1 < args.Count)
                {
                    options.Add(a + "=" + args[++i]);
                }
                else
                {
                    options.Add(a);
                }
            }
            else
            {
                positional.Add(a);
            }
        }
        string? sub = null;
        List<string> packages;
        if (subcommandIsGoal)
        {
            sub = positional.Count > 0 ? string.Join(' ', positional) : null;
            packages = [];
        }
        else
        {
            sub = positional.Count > 0 ? positional[0] : null;
            packages = positional.Skip(1).ToList();
            // "go mod download", "npm run build": the second word belongs to the subcommand.
            if (sub is "mod" or "run" or "run-script" && packages.Count > 0)
            {
                sub += " " + packages[0];
                packages.RemoveAt(0);
            }
        }
        var (reads, writes) = files(sub?.Split(' ')[0], options, packages);
        return new ToolInvocation(tool, sub, options, packages, reads, writes, command);
    }

    private static (List<string>, List<string>) Apt(string? sub, List<string> opts, List<string> pk) => sub switch
    {
        "update" => ([], ["/var/lib/apt/lists"]),
        "install" or "upgrade" or "dist-upgrade" or "full-upgrade" or "build-dep" => ([], ["/var/cache/apt/archives", "/var/lib/dpkg"]),
        _ => ([], []),
    };

    private static (List<string>, List<string>) Apk(string? sub, List<string> opts, List<string> pk) =>
        sub is "add" or "update" or "upgrade" && !opts.Contains("--no-cache") ? ([], ["/var/cache/apk"]) : ([], []);

    private static (List<string>, List<string>) Yum(string? sub, List<string> opts, List<string> pk) =>
        sub is "install" or "update" or "upgrade" or "makecache" or "groupinstall" ? ([], ["/var/cache/yum", "/var/cache/dnf"]) : ([], []);

    private static (List<string>, List<string>) Zypper(string? sub, List<string> opts, List<string> pk) =>
        sub is "install" or "in" or "refresh" or "ref" or "update" or "up" ? ([], ["/var/cache/zypp"]) : ([], []);

    private static (List<string>, List<string>) Npm(string? sub, List<string> opts, List<string> pk) => sub switch
    {
        "ci" => (["package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc"], ["node_modules", "/root/.npm"]),
        "install" or "i" or "add" when pk.Count == 0 => (["package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc"], ["node_modules", "/root/.npm"]),
        "install" or "i" or "add" => ([], ["node_modules", "/root/.npm"]),
        "run" or "run-script" or "test" or "build" or "start" => (["package.json", "."], []),
        _ => ([], []),
    };

    private static ToolInvocation Pip(List<string> args, ShellCommand command, string tool = "pip")
    {
        var invocation = Build(tool, "pip", args, command, (sub, opts, pk) => ([], []));
        var reads = new List<string>();
        foreach (var o in invocation.Options)
        {
            foreach (var prefix in (ReadOnlySpan<string>)["-r=", "--requirement=", "-c=", "--constraint="])
            {
                if (o.StartsWith(prefix, StringComparison.Ordinal))
                {
                    reads.Add(o[prefix.Length..]);
                }
            }
            if (o.StartsWith("-r", StringComparison.Ordinal) && o.Length > 2 && o[2] != '=')
            {
                reads.Add(o[2..]);
            }
        }
        if (invocation.Subcommand == "install" && invocation.Packages.Any(p => p is "." or "./" || p.StartsWith("./", StringComparison.Ordinal)))
        {
            reads.AddRange(["pyproject.toml", "setup.py", "setup.cfg", "."]);
        }
        var writes = invocation.Subcommand == "install" && !invocation.HasOption("--no-cache-dir") ? new List<string> { "/root/.cache/pip" } : [];
        return invocation with { Reads = reads, Writes = writes };
    }

    private static ToolInvocation Download(string tool, List<string> args, ShellCommand command, string[] outputOptions, string? remoteNameOption)
    {
        var invocation = Build(tool, tool, args, command, (sub, opts, pk) => ([], []));
        // A download has no subcommand: every positional word is a URL.
        var urls = new List<string>();
        if (invocation.Subcommand != null)
        {
            urls.Add(invocation.Subcommand);
        }
        urls.AddRange(invocation.Packages);
        var writes = new List<string>();
        foreach (var o in invocation.Options)
        {
            foreach (var opt in outputOptions)
            {
                if (o.StartsWith(opt + "=", StringComparison.Ordinal))
                {
                    writes.Add(o[(opt.Length + 1)..]);
                }
            }
        }
        if (remoteNameOption != null && invocation.Options.Contains(remoteNameOption))
        {
            writes.AddRange(urls.Select(u => u.TrimEnd('/')).Select(u => u[(u.LastIndexOf('/') + 1)..]));
        }
        if (tool == "wget" && writes.Count == 0)
        {
            writes.AddRange(urls.Select(u => u.TrimEnd('/')).Select(u => u[(u.LastIndexOf('/') + 1)..]));
        }
        return invocation with { Subcommand = null, Packages = urls, Writes = writes };
    }
}
