using LayerLens.Analyzer.Blobs;
using System.CommandLine;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Parsing;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Optimisation;
using LayerLens.Analyzer.BuildContexts;
using LayerLens.Analyzer.Optimisation.CostModel;
using LayerLens.Analyzer.Optimisation.Measurement;
using LayerLens.Analyzer.Optimisation.Reports;
using LayerLens.Analyzer.UseCases.DockerfileReviews;
using LayerLens.Cli.History;

namespace LayerLens.Cli.Commands;

/// <summary>
/// <c>layerlens optimize &lt;Dockerfile&gt;</c>: a dependency-safe reordered Dockerfile with its expected rebuild
/// cost, and with <c>--measure</c> real buildah rebuilds of both versions and an equivalence check.
/// Exit 1 when measurement withholds the recommendation (a difference or a failed build). The review itself is the
/// engine's <see cref="DockerfileReview"/>, the same call the web's review job makes.
/// </summary>
internal static class OptimizeCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("dockerfile") { Description = "The Dockerfile to optimise" };
        var context = new Option<string?>("--context") { Description = "build context directory (default: the Dockerfile's directory)" };
        var measure = new Option<bool>("--measure") { Description = "build both versions with buildah and measure rebuilds" };
        var runs = new Option<int>("--runs") { Description = "measurement runs per scenario (medians are reported)", DefaultValueFactory = _ => 3 };
        var format = new Option<string>("--format") { Description = "table, json or markdown", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong(OptimizeReport.Formats);
        var output = new Option<string?>("--output", "-o") { Description = "write the report to FILE instead of stdout" };
        var buildLog = new Option<string?>("--build-log") { Description = "BuildKit --progress=plain or rawjson log with step durations" };
        var image = new Option<string?>("--image") { Description = "an image built from this Dockerfile (docker-archive:, oci:, oci-archive:, docker://): step durations from its history timestamps" };
        var bases = new Option<string[]>("--base")
        {
            Description = "with --measure: a base image as NAME=SOURCE, SOURCE a local image (oci:DIR, docker-archive:PATH, oci-archive:PATH, containers-storage:REF); repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var baseStore = new Option<string?>("--base-store") { Description = "with --measure: the containers store to find other base images in, as [DRIVER@]ROOT[+RUNROOT] (default: the host's)" };
        var history = new Option<string?>("--history")
        {
            Description = "change history as `git log --name-only --relative -- .` text (run in the context directory) instead of running git; `-` for none (uniform weights)",
        };
        var timeout = new Option<int>("--timeout") { Description = "seconds allowed per build when measuring", DefaultValueFactory = _ => 900 };
        var command = new Command("optimize", "Reorder a Dockerfile for the layer cache, with expected and measured rebuild savings")
        {
            file, context, measure, runs, format, output, buildLog, image, timeout, bases, baseStore, history,
        };
        command.SetAction(async (parse, cancellationToken) => await RunAsync(
            parse.GetValue(file)!, parse.GetValue(context), parse.GetValue(measure), parse.GetValue(runs), parse.GetValue(format)!,
            parse.GetValue(output), parse.GetValue(buildLog), parse.GetValue(image), parse.GetValue(timeout),
            parse.GetValue(bases) ?? [], parse.GetValue(baseStore), parse.GetValue(history), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string path, string? contextDir, bool measure, int runs, string format, string? output, string? buildLog, string? imageSource, int timeout,
        string[] bases, string? baseStore, string? historyFile, CancellationToken cancellationToken)
    {
        var baseImages = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var b in bases)
        {
            var eq = b.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == b.Length - 1)
            {
                Console.Error.WriteLine($"layerlens: --base {b}: expected NAME=SOURCE, e.g. --base debian:12=oci:/images/debian");
                return ExitCodes.BadInput;
            }
            var source = b[(eq + 1)..];
            if (!BaseImages.LocalTransports.Any(t => source.StartsWith(t, StringComparison.Ordinal)))
            {
                Console.Error.WriteLine($"layerlens: --base {b}: SOURCE must be a local image ({string.Join(", ", BaseImages.LocalTransports)}); measurement never pulls from a registry");
                return ExitCodes.BadInput;
            }
            baseImages[b[..eq]] = source;
        }
        if (runs is < 1 or > 50)
        {
            Console.Error.WriteLine("layerlens: --runs must be between 1 and 50");
            return ExitCodes.BadInput;
        }
        DockerfileDocument document;
        BuildContext buildContext;
        IReadOnlyList<LoggedStep>? log = null;
        IReadOnlyList<HistoryEntry>? history = null;
        ChangeHistory? changes = null;
        try
        {
            document = DockerfileDocument.From(DockerfileParser.Parse(DockerfileLoader.Load(path)));
            var dir = contextDir ?? (measure ? Path.GetDirectoryName(Path.GetFullPath(path)) : null);
            buildContext = dir is null ? BuildContext.Unknown : BuildContext.Load(dir, Path.GetFullPath(path));
            if (historyFile is not null && historyFile != "-")
            {
                try
                {
                    changes = ChangeHistory.Read(historyFile, "change history");
                }
                catch (FormatException ex)
                {
                    Console.Error.WriteLine($"layerlens: {historyFile}: {ex.Message}");
                    return ExitCodes.BadInput;
                }
            }
            else if (historyFile is null && buildContext.IsKnown)
            {
                // The user's own repository, read by a hardened git (its configuration cannot make git run anything).
                changes = GitHistory.Read(buildContext.Root!);
            }
            if (buildLog is not null)
            {
                if (new FileInfo(buildLog).Length > BuildLogDurations.MaxLogBytes)
                {
                    Console.Error.WriteLine($"layerlens: {buildLog}: larger than {BuildLogDurations.MaxLogBytes} bytes (limit)");
                    return ExitCodes.BadInput;
                }
                log = BuildLogDurations.Parse(await File.ReadAllTextAsync(buildLog, cancellationToken));
            }
            if (imageSource is not null)
            {
                // Only the config is read: no layer is opened.
                using var built = await ImageOpener.OpenAsync(imageSource, new ImageOpenOptions(), cancellationToken);
                history = built.Config.History ?? [];
            }
        }
        catch (DockerfileParseException ex)
        {
            Console.Error.WriteLine(ex.Line > 0 ? $"layerlens: {path}:{ex.Line}: {ex.Message}" : $"layerlens: {path}: {ex.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException or System.Text.Json.JsonException
            or InvalidImageException or ArgumentException or Analyzer.Images.Registry.RegistryException)
        {
            Console.Error.WriteLine($"layerlens: {ex.Message}");
            return ExitCodes.BadInput;
        }

        var input = new DockerfileReviewInput(path, document, buildContext)
        {
            BuildLog = log,
            ImageHistory = history,
            Changes = changes,
            Measure = measure
                ? new MeasureOptions
                {
                    Runs = runs,
                    BuildTimeout = TimeSpan.FromSeconds(Math.Clamp(timeout, 10, 24 * 3600)),
                    Progress = line => Console.Error.WriteLine("layerlens: " + line),
                    BaseImages = baseImages,
                    BaseStore = baseStore,
                }
                : null,
        };
        var review = await DockerfileReview.RunAsync(input, phase: null, cancellationToken);
        var report = OptimizeReport.Write(format, review.Optimisation, review.Measured);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, report, cancellationToken);
        }
        else
        {
            Console.Out.Write(report);
        }
        return OptimizeReport.Withheld(review.Measured) ? ExitCodes.VerdictFailed : ExitCodes.Passed;
    }
}
