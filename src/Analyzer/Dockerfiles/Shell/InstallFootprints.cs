using System.Text.RegularExpressions;

namespace LayerLens.Analyzer.Dockerfiles.Shell;

/// <summary>
/// Decides, for a recognised tool invocation, whether it is a dependency install confined to its manifests
/// (and then its <see cref="InstallFootprint"/>), or one whose command line shows it runs project code.
/// Any option that moves where it reads or writes (a value option outside the short allow-lists) leaves it unmodelled.
/// </summary>
public static partial class InstallFootprints
{
    private static readonly string[] Home = ["/root", "/home", "/tmp"];

    private static readonly string[] NodeManifests =
        ["package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", ".npmrc", ".yarnrc", ".yarnrc.yml", "pnpm-lock.yaml"];

    private static readonly ManifestHook[] NodeHooks =
    [
        new("package.json", LifecycleRegex(), "install lifecycle scripts or workspaces"),
        new("pnpm-workspace.yaml", null, "a pnpm workspace"),
        new(".yarn", null, "yarn plugin or workspace configuration"),
    ];

    internal static ToolInvocation Attach(ToolInvocation tool)
    {
        var (footprint, projectCode) = Classify(tool);
        return footprint is null && projectCode is null ? tool : tool with { Footprint = footprint, RunsProjectCode = projectCode };
    }

    private static (InstallFootprint?, string?) Classify(ToolInvocation t)
    {
        var sub = t.Subcommand;
        switch (t.Tool)
        {
            case "npm" when sub is "ci" or "install" or "i":
            case "yarn" when sub is null or "install":
            case "pnpm" when sub is "install" or "i":
                if (t.Packages.Count > 0 || t.HasOption("-g", "--global") || !OnlyOptions(t, "--omit", "--include", "--registry", "--network-timeout"))
                {
                    return (null, null);
                }
                return (new InstallFootprint(t.Tool, NodeManifests,
                    sub == "ci" ? ["node_modules"] : ["node_modules", "package-lock.json", "yarn.lock", "pnpm-lock.yaml"],
                    [.. Home, "/usr/local/share/.cache"], NodeHooks), null);
            case "pip" or "pip2" or "pip3" when sub == "install":
                if (t.HasOption("-e", "--editable") || t.Packages.Any(p => p.Contains('/', StringComparison.Ordinal) || p.StartsWith('.')))
                {
                    return (null, "pip installs a local project");
                }
                if (!OnlyOptions(t, "-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url", "--trusted-host"))
                {
                    return (null, null);
                }
                // A requirements file can itself name local projects or further files.
                var requirementHooks = t.Reads.Select(r => new ManifestHook(Path.GetFileName(r), LocalRequirementRegex(), "a requirements file names a local project or another file")).ToList();
                return (new InstallFootprint("pip", t.Reads, [], InstallFootprint.SystemRoots, requirementHooks), null);
            case "poetry" when sub == "install":
                if (!t.HasOption("--no-root"))
                {
                    return (null, "poetry install without --no-root installs the project itself");
                }
                return OnlyOptions(t, "--only", "--with", "--without", "--extras", "-E")
                    ? (new InstallFootprint("poetry", ["pyproject.toml", "poetry.lock", "poetry.toml"], [".venv"], InstallFootprint.SystemRoots, []), null)
                    : (null, null);
            case "pipenv" when sub is "install" or "sync":
                return t.Packages.Count == 0 && OnlyOptions(t)
                    ? (new InstallFootprint("pipenv", ["Pipfile", "Pipfile.lock"], [".venv"], InstallFootprint.SystemRoots, []), null)
                    : (null, null);
            case "go" when sub == "mod download":
                return OnlyOptions(t)
                    ? (new InstallFootprint("go", ["go.mod", "go.sum", "go.work", "go.work.sum"], [], InstallFootprint.SystemRoots, []), null)
                    : (null, null);
            case "mvn" when sub is not null && sub.Split(' ').All(g => g is "dependency:go-offline" or "dependency:resolve" or "dependency:resolve-plugins"):
                return OnlyOptions(t)
                    ? (new InstallFootprint("maven", ["pom.xml", ".mvn", "mvnw"], ["target"], InstallFootprint.SystemRoots,
                        [new("pom.xml", ModulesRegex(), "a multi-module maven build reads the module poms")]), null)
                    : (null, null);
            case "gradle" when sub == "dependencies":
                return OnlyOptions(t)
                    ? (new InstallFootprint("gradle", ["build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "gradle.properties", "gradle", "gradlew"], [".gradle", "build"], InstallFootprint.SystemRoots,
                        [new("settings.gradle", IncludeRegex(), "a multi-project gradle build"), new("settings.gradle.kts", IncludeRegex(), "a multi-project gradle build")]), null)
                    : (null, null);
            case "bundle" when sub == "install" && t.Packages.Count == 0:
                return OnlyOptions(t, "--jobs", "-j", "--retry", "--without", "--with")
                    ? (new InstallFootprint("bundler", ["Gemfile", "Gemfile.lock", ".bundle"], ["vendor", ".bundle"], InstallFootprint.SystemRoots,
                        [new("Gemfile", GemspecRegex(), "the Gemfile loads a gemspec or a path from the sources")]), null)
                    : (null, null);
            case "composer" when sub == "install":
                if (!OnlyOptions(t))
                {
                    return (null, null);
                }
                var hooks = new List<ManifestHook>();
                if (!t.HasOption("--no-scripts"))
                {
                    hooks.Add(new("composer.json", ScriptsRegex(), "composer runs the project's scripts"));
                }
                if (!t.HasOption("--no-autoloader"))
                {
                    hooks.Add(new("composer.json", AutoloadRegex(), "composer builds an autoloader from the sources"));
                }
                return (new InstallFootprint("composer", ["composer.json", "composer.lock", "auth.json"], ["vendor"], InstallFootprint.SystemRoots, hooks), null);
            case "dotnet" when sub == "restore":
                return t.Packages.All(p => !p.StartsWith('/') && !p.Contains("..", StringComparison.Ordinal)) && OnlyOptions(t, "-s", "--source")
                    ? (new InstallFootprint("dotnet",
                        ["**/*.sln", "**/*.slnx", "**/*.csproj", "**/*.fsproj", "**/*.vbproj", "**/nuget.config", "**/NuGet.config", "**/NuGet.Config", "**/Directory.Build.props", "**/Directory.Build.targets", "**/Directory.Packages.props", "**/global.json", "**/packages.lock.json"],
                        ["**/obj"], InstallFootprint.SystemRoots, []), null)
                    : (null, null);
            default:
                return (null, null);
        }
    }

    /// <summary>True when every option is a plain flag or one of the allowed value options.</summary>
    private static bool OnlyOptions(ToolInvocation t, params string[] allowedValues) =>
        t.Options.All(o => !o.Contains('=', StringComparison.Ordinal) || allowedValues.Any(a => o.StartsWith(a + "=", StringComparison.Ordinal)));

    [GeneratedRegex("\"(preinstall|install|postinstall|prepare|prepublish|preprepare|postprepare|workspaces)\"\\s*:")]
    private static partial Regex LifecycleRegex();

    [GeneratedRegex(@"^\s*(-e|--editable|-r|--requirement|-c|--constraint|\.|/|file:)", RegexOptions.Multiline)]
    private static partial Regex LocalRequirementRegex();

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
