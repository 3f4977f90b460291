using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Shell;

namespace LayerLens.Analyzer.Optimisation.Measurement;

/// <summary>An image a FROM line names (not scratch, not an earlier stage), with the line naming it.</summary>
public sealed record BaseImageReference(string Name, int Line);

/// <summary>
/// Seeds an experiment store with the base images the Dockerfile builds on, copied with skopeo from an image
/// the user named (<c>--base NAME=oci:DIR</c>, docker-archive:, oci-archive:, containers-storage:) or from a
/// local containers store (the host's by default). Never from a registry: builds run without network and a
/// base that cannot be found locally is a failure that names it.
/// </summary>
public static class BaseImages
{
    /// <summary>skopeo transports that read local files or stores only.</summary>
    public static readonly IReadOnlyList<string> LocalTransports = ["oci:", "oci-archive:", "docker-archive:", "containers-storage:", "dir:"];

    /// <summary>The external base images of every stage, after ARG expansion, in FROM order, each once.</summary>
    public static IReadOnlyList<BaseImageReference> External(string dockerfile)
    {
        var document = DockerfileDocument.Parse(dockerfile);
        var stageNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var found = new List<BaseImageReference>();
        VariableScope.Walk(document, (instruction, scope) =>
        {
            if (instruction.Keyword != "FROM" || instruction.Args.Count == 0)
            {
                return;
            }
            var expander = new VariableExpander(n => scope.TryGetValue(n, out var v) ? v : null);
            string name;
            try
            {
                name = expander.ProcessWord(instruction.Args[0].Value);
            }
            catch (FormatException)
            {
                name = instruction.Args[0].Value;
            }
            // Only earlier stages count: a stage cannot build on itself.
            var isStage = stageNames.Contains(name);
            if (instruction.Args.Count >= 3)
            {
                stageNames.Add(instruction.Args[2].Value);
            }
            // An ARG without a value leaves no name: the build itself reports that.
            if (name.Length == 0 || name.Equals("scratch", StringComparison.OrdinalIgnoreCase) || isStage || found.Any(f => f.Name == name))
            {
                return;
            }
            found.Add(new BaseImageReference(name, instruction.StartLine));
        });
        return found;
    }

    /// <summary>
    /// The name the image gets in the experiment store: FROM's own text, under <c>localhost/</c> when it names no
    /// registry, which buildah's short-name lookup tries first in local storage.
    /// </summary>
    public static string StoreName(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? "" : name[..slash];
        var hasDomain = first.Length > 0 && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost");
        return hasDomain ? name : "localhost/" + name;
    }

    /// <summary>
    /// Copies every base into the store at <paramref name="storeRoot"/> (vfs). Returns the failures, each naming
    /// the base and its line; an empty list when all were copied.
    /// </summary>
    public static async Task<List<string>> SeedAsync(IReadOnlyList<BaseImageReference> bases, string storeRoot, string storeRunRoot, MeasureOptions options, CancellationToken cancellationToken)
    {
        var destinationStore = $"containers-storage:[vfs@{storeRoot}+{storeRunRoot}]";
        var (failures, _) = await CopyAllAsync(bases, (image, _) => destinationStore + StoreName(image.Name), options, cancellationToken);
        return failures;
    }

    /// <summary>
    /// Copies every base into one OCI layout directory (for the build sandbox, which imports them as the build
    /// user), each under its own reference. Returns the failures and each reference with its store name.
    /// </summary>
    public static Task<(List<string> Failures, List<(string Reference, string StoreName)> Images)> ExportAsync(IReadOnlyList<BaseImageReference> bases, string layout, MeasureOptions options, CancellationToken cancellationToken) =>
        CopyAllAsync(bases, (_, index) => $"oci:{layout}:base{index}", options, cancellationToken);

    private static async Task<(List<string> Failures, List<(string Reference, string StoreName)> Images)> CopyAllAsync(
        IReadOnlyList<BaseImageReference> bases, Func<BaseImageReference, int, string> destination, MeasureOptions options, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var copied = new List<(string, string)>();
        for (var index = 0; index < bases.Count; index++)
        {
            var image = bases[index];
            options.Progress?.Invoke($"seeding base image {image.Name}");
            string source;
            if (options.BaseImages is not null && options.BaseImages.TryGetValue(image.Name, out var given))
            {
                if (!LocalTransports.Any(t => given.StartsWith(t, StringComparison.Ordinal)))
                {
                    failures.Add($"base image {image.Name} (line {image.Line}): {given} is not a local image (use {string.Join(", ", LocalTransports.Select(t => t + "..."))}); measurement never pulls from a registry");
                    continue;
                }
                source = given;
            }
            else
            {
                var resolved = await ResolveInStoreAsync(image.Name, options.BaseStore, options.BuildTimeout, cancellationToken);
                if (resolved is null)
                {
                    failures.Add($"base image {image.Name} (line {image.Line}) is not in {(options.BaseStore is null ? "the host's containers storage" : "the store " + options.BaseStore)}: " +
                        $"build or pull it there first, or pass --base {image.Name}=oci:DIR (or docker-archive:PATH); measurement never pulls from a registry");
                    continue;
                }
                source = $"containers-storage:{StoreSpec(options.BaseStore)}@{resolved}";
            }
            var copy = await TimedProcess.RunAsync("skopeo", ["copy", "--quiet", source, destination(image, index)], options.BuildTimeout, cancellationToken);
            if (copy.ExitCode != 0)
            {
                failures.Add($"base image {image.Name} (line {image.Line}) could not be copied from {source}:\n{copy.Tail()}");
                continue;
            }
            copied.Add(($"base{index}", StoreName(image.Name)));
        }
        return (failures, copied);
    }

    /// <summary>
    /// A store given as <c>[DRIVER@]ROOT[+RUNROOT]</c>, in the bracket form skopeo's containers-storage transport
    /// takes; empty for the host's default store.
    /// </summary>
    public static string StoreSpec(string? store)
    {
        if (store is null)
        {
            return "";
        }
        var at = store.IndexOf('@', StringComparison.Ordinal);
        var driver = at < 0 ? "vfs" : store[..at];
        var rest = at < 0 ? store : store[(at + 1)..];
        return rest.Contains('+', StringComparison.Ordinal) ? $"[{driver}@{rest}]" : $"[{driver}@{rest}+{rest}-runroot]";
    }

    /// <summary>buildah's global options selecting the store (none for the host's default).</summary>
    public static IReadOnlyList<string> BuildahStoreArgs(string? store)
    {
        if (store is null)
        {
            return [];
        }
        var spec = StoreSpec(store)[1..^1];
        var at = spec.IndexOf('@', StringComparison.Ordinal);
        var plus = spec.IndexOf('+', StringComparison.Ordinal);
        return ["--storage-driver", spec[..at], "--root", spec[(at + 1)..plus], "--runroot", spec[(plus + 1)..]];
    }

    /// <summary>The image id a FROM name resolves to in the store, as buildah resolves it (short names included), or null. The name is uploaded text: "--" keeps it from being read as an option.</summary>
    private static async Task<string?> ResolveInStoreAsync(string name, string? store, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string[] args = [.. BuildahStoreArgs(store), "inspect", "--type", "image", "--format", "{{.FromImageID}}", "--", name];
        var output = await TimedProcess.RunAsync("buildah", args, timeout, cancellationToken);
        var id = output.Lines.Select(l => l.Line.Trim()).LastOrDefault(l => l.Length == 64 && l.All(char.IsAsciiHexDigitLower));
        return output.ExitCode == 0 ? id : null;
    }
}
