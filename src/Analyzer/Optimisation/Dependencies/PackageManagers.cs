using System.Text.RegularExpressions;
using LayerLens.Analyzer.Optimisation.Context;

namespace LayerLens.Analyzer.Optimisation.Dependencies;

/// <summary>
/// Recognises dependency-install commands whose inputs are only their manifests. A manager that can run
/// project code during install (npm lifecycle scripts, composer scripts, gemspecs, multi-module builds)
/// is not recognised, so its RUN stays opaque.
/// </summary>
public static partial class PackageManagers
{
    private static readonly string[] Home = ["/root", "/home", "/tmp"];

    private static readonly string[] System = ImagePaths.SystemRoots;

    /// <summary>Install tools whose reads and writes are confined to system directories (apt, apk, yum...).</summary>
    public static readonly HashSet<string> SystemInstallers = new(StringComparer.Ordinal)
    {
        "apt-get", "apt", "apk", "yum", "dnf", "microdnf", "zypper", "dpkg", "rpm", "update-ca-certificates", "ldconfig",
        "useradd", "adduser", "groupadd", "addgroup", "usermod", "locale-gen", "update-alternatives", "dpkg-reconfigure",
    };

    /// <summary>The install this command performs, or null; <paramref name="opaque"/> is set when it may read anything.</summary>
    public static InstallCommand? Recognise(SimpleCommand command, BuildContext context, out string? opaque)
    {
        opaque = null;
        var words = command.Words.Select(w => w.Text).ToList();
        if (words.Count == 0)
        {
            return null;
        }
        var name = Path.GetFileName(words[0]);
        if (name is "python" or "python3" && words.Count > 2 && words[1] == "-m" && words[2] is "pip" or "pip3")
        {
            words = words.Skip(2).ToList();
            name = "pip";
        }
        var positional = words.Skip(1).Where(w => !w.StartsWith('-')).ToList();
        var sub = positional.Count > 0 ? positional[0] : "";
        switch (name)
        {
            case "npm" when sub is "ci" or "install" or "i":
            case "yarn" when sub is "" or "install":
            case "pnpm" when sub is "install" or "i":
                if (positional.Count > 1)
                {
                    opaque = $"{name} {sub} with packages named on the command line";
                    return null;
                }
                if (NodeProjectRunsCode(context) is { } why)
                {
                    opaque = why;
                    return null;
                }
                return new InstallCommand(name,
                    ["package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", ".npmrc", ".yarnrc", ".yarnrc.yml", "pnpm-lock.yaml"],
                    sub == "ci" ? ["node_modules"] : ["node_modules", "package-lock.json", "yarn.lock", "pnpm-lock.yaml"],
                    [.. Home, "/usr/local/share/.cache"]);
            case "pip" or "pip3" when sub == "install":
                var files = new List<string>();
                for (var i = 1; i < words.Count; i++)
                {
                    if (words[i] is "-r" or "--requirement" or "-c" or "--constraint" && i + 1 < words.Count)
                    {
                        files.Add(words[++i]);
                    }
                    else if (words[i].StartsWith("--requirement=", StringComparison.Ordinal) || words[i].StartsWith("--constraint=", StringComparison.Ordinal))
                    {
                        files.Add(words[i][(words[i].IndexOf('=', StringComparison.Ordinal) + 1)..]);
                    }
                    else if (words[i] is "-e" or "--editable" || !words[i].StartsWith('-') && i > 1 && (words[i].Contains('/', StringComparison.Ordinal) || words[i].StartsWith('.')))
                    {
                        opaque = "pip installs a local project";
                        return null;
                    }
                }
                return new InstallCommand("pip", files, [], System);
            case "poetry" when sub == "install":
                if (!words.Contains("--no-root"))
                {
                    opaque = "poetry install without --no-root installs the project itself";
                    return null;
                }
                return new InstallCommand("poetry", ["pyproject.toml", "poetry.lock", "poetry.toml"], [".venv"], System);
            case "pipenv" when sub is "install" or "sync":
                return positional.Count > 1 ? Opaque(out opaque, "pipenv with packages named on the command line")
                    : new InstallCommand("pipenv", ["Pipfile", "Pipfile.lock"], [".venv"], System);
            case "go" when sub == "mod" && positional.Count > 1 && positional[1] == "download":
                return new InstallCommand("go", ["go.mod", "go.sum", "go.work", "go.work.sum"], [], System);
            case "mvn" or "mvnw" when positional.Any(p => p is "dependency:go-offline" or "dependency:resolve" or "dependency:resolve-plugins"):
                if (AnyFileMatches(context, "pom.xml", ModulesRegex()))
                {
                    opaque = "multi-module maven build reads module poms";
                    return null;
                }
                return new InstallCommand("maven", ["pom.xml", ".mvn", "mvnw"], ["target"], System);
            case "gradle" or "gradlew" when positional.Count == 1 && sub == "dependencies":
                if (AnyFileMatches(context, "settings.gradle", IncludeRegex()) || AnyFileMatches(context, "settings.gradle.kts", IncludeRegex()))
                {
                    opaque = "multi-project gradle build";
                    return null;
                }
                return new InstallCommand("gradle", ["build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "gradle.properties", "gradle", "gradlew"], [".gradle", "build"], System);
            case "bundle" when sub == "install" && positional.Count == 1:
                if (AnyFileMatches(context, "Gemfile", GemspecRegex()))
                {
                    opaque = "the Gemfile loads a gemspec from the sources";
                    return null;
                }
                return new InstallCommand("bundler", ["Gemfile", "Gemfile.lock", ".bundle"], ["vendor", ".bundle"], System);
            case "composer" or "composer.phar" when sub == "install":
                if (!words.Contains("--no-scripts") && AnyFileMatches(context, "composer.json", ScriptsRegex())
                    || !words.Contains("--no-autoloader") && AnyFileMatches(context, "composer.json", AutoloadRegex()))
                {
                    opaque = "composer install runs scripts or builds an autoloader from the sources";
                    return null;
                }
                return new InstallCommand("composer", ["composer.json", "composer.lock", "auth.json"], ["vendor"], System);
            case "dotnet" when sub == "restore":
                return new InstallCommand("dotnet",
                    ["**/*.sln", "**/*.slnx", "**/*.csproj", "**/*.fsproj", "**/*.vbproj", "**/nuget.config", "**/NuGet.Config", "**/Directory.Build.props", "**/Directory.Build.targets", "**/Directory.Packages.props", "**/global.json", "**/packages.lock.json"],
                    ["**/obj"], System);
            default:
                return null;
        }
    }

    private static InstallCommand? Opaque(out string? opaque, string reason)
    {
        opaque = reason;
        return null;
    }

    private static string? NodeProjectRunsCode(BuildContext context)
    {
        if (!context.IsKnown)
        {
            return "no build context to check package.json for install scripts";
        }
        foreach (var file in context.Files.Where(f => Path.GetFileName(f.Path) == "package.json" && !f.Path.Contains("node_modules/", StringComparison.Ordinal)))
        {
            var text = ReadSmall(context, file);
            if (text is null || LifecycleRegex().IsMatch(text))
            {
                return $"{file.Path} has install lifecycle scripts or workspaces";
            }
        }
        if (context.Files.Any(f => Path.GetFileName(f.Path) == "pnpm-workspace.yaml" || f.Path.StartsWith(".yarn/", StringComparison.Ordinal)))
        {
            return "workspace or yarn plugin configuration";
        }
        return null;
    }

    private static bool AnyFileMatches(BuildContext context, string fileName, Regex regex)
    {
        if (!context.IsKnown)
        {
            return true;
        }
        return context.Files.Where(f => Path.GetFileName(f.Path) == fileName).Any(f => ReadSmall(context, f) is not { } t || regex.IsMatch(t));
    }

    private static string? ReadSmall(BuildContext context, ContextFile file)
    {
        if (file.IsSymlink || file.Size > 4 * 1024 * 1024)
        {
            return null;
        }
        return File.ReadAllText(Path.Combine(context.Root!, file.Path));
    }

    [GeneratedRegex("\"(preinstall|install|postinstall|prepare|prepublish|preprepare|postprepare|workspaces)\"\\s*:")]
    private static partial Regex LifecycleRegex();

    [GeneratedRegex("<modules>")]
    private static partial Regex ModulesRegex();

    [GeneratedRegex(@"^\s*include", RegexOptions.Multiline)]
    private static partial Regex IncludeRegex();

    [GeneratedRegex(@"^\s*gemspec|path:", RegexOptions.Multiline)]
    private static partial Regex GemspecRegex();

    [GeneratedRegex("\"scripts\"\\s*:")]
    private static partial Regex ScriptsRegex();

    [GeneratedRegex("\"(autoload|autoload-dev)\"\\s*:")]
    private static partial Regex AutoloadRegex();
}
