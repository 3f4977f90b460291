using LayerLens.Analyzer.Optimisation.Dependencies;

namespace LayerLens.Analyzer.Optimisation.Rewrites;

/// <summary>
/// Rewrite 5, advice only: cache mounts for package-manager caches, .dockerignore entries for what the
/// context holds but an image should not, a multi-stage split when build tools stay in the final image,
/// and the dummy-target recipe for cargo. Each comes with an example; the Dockerfile is not changed.
/// </summary>
public static class Advice
{
    private static readonly Dictionary<string, string> CacheTargets = new(StringComparer.Ordinal)
    {
        ["npm"] = "/root/.npm", ["yarn"] = "/usr/local/share/.cache/yarn", ["pnpm"] = "/root/.local/share/pnpm/store",
        ["pip"] = "/root/.cache/pip", ["poetry"] = "/root/.cache/pypoetry", ["pipenv"] = "/root/.cache/pipenv",
        ["go"] = "/go/pkg/mod", ["maven"] = "/root/.m2", ["gradle"] = "/root/.gradle", ["bundler"] = "/usr/local/bundle/cache",
        ["composer"] = "/root/.composer/cache", ["dotnet"] = "/root/.nuget/packages", ["apt"] = "/var/cache/apt",
    };

    private static readonly string[] IgnoreCandidates =
        [".git", "node_modules", "target", "dist", "build", "bin", "obj", "__pycache__", ".venv", "venv", ".gradle", ".idea", ".vscode", "coverage", ".pytest_cache", ".mypy_cache"];

    private static readonly string[] BuildTools =
        ["build-essential", "gcc", "g++", "clang", "make", "cmake", "golang", "openjdk", "maven", "gradle", "rustc", "cargo", "nodejs-dev", "python3-dev", "libc6-dev", "musl-dev"];

    public static void Apply(RewritePlan plan)
    {
        var cacheMountsAllowed = !plan.Document.Result.Directives.Any(d => d.Name.Equals("syntax", StringComparison.OrdinalIgnoreCase)
            && (d.Value.Contains("dockerfile:1.0", StringComparison.Ordinal) || d.Value.Contains("dockerfile:1.1", StringComparison.Ordinal)));
        foreach (var stage in plan.Stages)
        {
            foreach (var step in stage.Where(s => s.Keyword == "RUN" && s.Instruction is not null))
            {
                var hasCache = step.Instruction!.Flags.Any(f => f.Value.Contains("type=cache", StringComparison.Ordinal));
                var managers = step.Installs.Select(i => i.Install.Manager).ToList();
                if (step.Commands.Any(c => c.Name is "apt-get" or "apt" && c.Words.Any(w => w.Value == "install")))
                {
                    managers.Add("apt");
                }
                foreach (var manager in managers.Distinct())
                {
                    if (cacheMountsAllowed && !hasCache && CacheTargets.TryGetValue(manager, out var target))
                    {
                        plan.Changes.Add(new OptimisationChange("cache-mount", step.Line,
                            $"{manager} downloads survive cache misses with a BuildKit cache mount on {target}",
                            IsAdvice: true, Example: $"RUN --mount=type=cache,target={target} {step.Instruction.ArgumentText}"));
                    }
                }
                if (step.Commands.Any(c => c.Name is "cargo" && c.Words.Any(w => w.Value == "build")) && stage.Take(stage.IndexOf(step)).Any(s => s.Copy?.IsBroad == true))
                {
                    plan.Changes.Add(new OptimisationChange("split-advice", step.Line,
                        "cargo cannot fetch dependencies without a build target; copy Cargo.toml and Cargo.lock first and build a placeholder target so dependencies are cached",
                        IsAdvice: true, Example: "COPY Cargo.toml Cargo.lock ./\nRUN mkdir src && echo 'fn main() {}' > src/main.rs && cargo build --release && rm -rf src\nCOPY . ."));
                }
            }
        }
        AdviseIgnore(plan);
        AdviseMultiStage(plan);
    }

    private static void AdviseIgnore(RewritePlan plan)
    {
        if (!plan.Context.IsKnown)
        {
            return;
        }
        var copied = plan.Stages.SelectMany(s => s).SelectMany(s => s.Effect.ContextFiles).ToHashSet(StringComparer.Ordinal);
        foreach (var name in IgnoreCandidates)
        {
            var hit = copied.FirstOrDefault(p => p == name || p.StartsWith(name + "/", StringComparison.Ordinal) || p.Contains("/" + name + "/", StringComparison.Ordinal));
            if (hit is null)
            {
                continue;
            }
            var line = plan.Stages.SelectMany(s => s).FirstOrDefault(s => s.Effect.ContextFiles.Contains(hit))?.Line ?? 0;
            plan.Changes.Add(new OptimisationChange("dockerignore", line,
                $"the context holds {name}/ (e.g. {hit}) and a COPY sends it into the image; list it in .dockerignore so it neither bloats the image nor busts the cache",
                IsAdvice: true, Example: name == "__pycache__" ? "**/__pycache__" : name));
        }
    }

    private static void AdviseMultiStage(RewritePlan plan)
    {
        if (plan.Stages.Count != 1)
        {
            return;
        }
        var stage = plan.Stages[0];
        var baseImage = plan.Document.Stages.Count > 0 ? plan.Document.Stages[0].BaseImage : "";
        var toolStep = stage.FirstOrDefault(s => s.Commands.Any(c => c.Name is "apt-get" or "apk" or "yum" or "dnf" && c.Words.Any(w => BuildTools.Any(t => w.Value.StartsWith(t, StringComparison.Ordinal)))));
        var sdkBase = baseImage.StartsWith("golang", StringComparison.Ordinal) || baseImage.StartsWith("maven", StringComparison.Ordinal)
            || baseImage.StartsWith("rust", StringComparison.Ordinal) || baseImage.Contains("/sdk", StringComparison.Ordinal) || baseImage.StartsWith("gradle", StringComparison.Ordinal);
        if (toolStep is null && !sdkBase)
        {
            return;
        }
        plan.Changes.Add(new OptimisationChange("multi-stage", toolStep?.Line ?? stage[0].Line,
            "compilers and build tools stay in the final image; build in one stage and copy only the result into a small runtime stage",
            IsAdvice: true, Example: $"FROM {(baseImage.Length > 0 ? baseImage : "builder-image")} AS build\n# ... build steps ...\nFROM <runtime-image>\nCOPY --from=build /out /app"));
    }
}
