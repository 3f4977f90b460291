using LayerLens.Analyzer.Blobs;
using System.CommandLine;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Layers.Cache;
using LayerLens.Analyzer.Reports;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.UseCases.ImageReviews;
using LayerLens.Analyzer.UseCases.ReportSets;
using LayerLens.Cli.Progress;

namespace LayerLens.Cli.Commands;

/// <summary>
/// <c>layerlens analyze &lt;source&gt;</c>: read an image, report its waste, and judge it in CI. The review itself is the
/// engine's <see cref="ImageReview"/>, the same call the web's analysis job makes; this adds the options and the output.
/// </summary>
internal static class AnalyzeCommand
{
    private const int MaxDockerfileBytes = 1024 * 1024;

    public static Command Create()
    {
        var source = new Argument<string>("source")
        {
            Description = "docker-archive:PATH[:NAME|:@INDEX], oci:DIR[:TAG], oci-archive:PATH[:TAG], docker://REF, or a path whose format is detected",
        };
        var platform = new Option<string?>("--platform") { Description = "os/arch[/variant] to pick from a multi-platform image" };
        var format = new Option<string>("--format") { Description = "report format", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong(ReportFormats.Names);
        var output = new Option<string?>("--output", "-o") { Description = "write the report to FILE instead of stdout" };
        var ci = new Option<bool>("--ci") { Description = "judge the image against .dive-ci / layerlens.yaml thresholds (also when CI=true)" };
        var ciConfig = new Option<string?>("--ci-config") { Description = "CI rules file (.dive-ci or layerlens.yaml shape)" };
        var creds = new Option<string?>("--creds") { Description = "registry credentials user:password" };
        var insecure = new Option<bool>("--insecure") { Description = "allow plain-HTTP registries on loopback addresses" };
        var dockerfile = new Option<string?>("--dockerfile") { Description = "the Dockerfile the image was built from: SARIF results point at the instruction that caused the waste" };
        var cacheDir = new Option<string?>("--cache-dir")
        {
            Description = "keep what each layer taught the analysis in DIR, so later analyses read only new layers (default $XDG_CACHE_HOME/layerlens, else ~/.cache/layerlens)",
        };
        var noCache = new Option<bool>("--no-cache") { Description = "read every layer; neither use nor fill the layer cache" };
        var cacheMaxBytes = new Option<long>("--cache-max-bytes")
        {
            Description = "bound of the layer cache in bytes; least recently used layers are evicted beyond it (default 2 GiB)",
            DefaultValueFactory = _ => DirectoryLayerCache.DefaultMaxBytes,
        };
        cacheMaxBytes.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long>() <= 0)
            {
                result.AddError("--cache-max-bytes must be a positive number of bytes");
            }
        });

        var command = new Command("analyze", "Analyse a container image: sizes, wasted bytes, duplicates, junk, per layer.");
        command.Arguments.Add(source);
        foreach (var option in new Option[] { platform, format, output, ci, ciConfig, creds, insecure, dockerfile, cacheDir, noCache, cacheMaxBytes })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = new AnalyzeRequest(
                parse.GetValue(source)!,
                parse.GetValue(platform),
                parse.GetValue(format) ?? "table",
                parse.GetValue(output),
                parse.GetValue(ci) || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase),
                parse.GetValue(ciConfig),
                parse.GetValue(creds),
                parse.GetValue(insecure),
                parse.GetValue(dockerfile),
                parse.GetValue(noCache) ? null : parse.GetValue(cacheDir) ?? DirectoryLayerCache.DefaultDirectory(),
                parse.GetValue(cacheMaxBytes));
            return await RunAsync(request, cancellationToken);
        });
        return command;
    }

    private sealed record AnalyzeRequest(string Source, string? Platform, string Format, string? Output, bool Ci, string? CiConfig, string? Creds, bool Insecure, string? Dockerfile, string? CacheDir, long CacheMaxBytes);

    private static async Task<int> RunAsync(AnalyzeRequest request, CancellationToken cancellationToken)
    {
        try
        {
            // Read the CI rules first: a broken rules file should fail before a long analysis.
            var rules = request.Ci || request.CiConfig is not null ? CiRules.Load(request.CiConfig, Directory.GetCurrentDirectory()) : null;
            var dockerfile = request.Dockerfile is null ? null : LoadDockerfile(request.Dockerfile);
            var options = new ImageOpenOptions
            {
                Platform = request.Platform is null ? null : Platform.Parse(request.Platform),
                Registry = RegistryOptionsFactory.Create(request.Creds, request.Insecure),
            };

            var review = new ImageReviewRequest(ImageSourceSpec.Parse(request.Source), options) { Rules = rules, LayerCache = OpenCache(request) };
            var result = await ProgressDisplay.RunAsync(progress => ImageReview.RunAsync(review, progress, phase: null, cancellationToken));
            var report = new ImageReviewReport(result, dockerfile);
            if (request.Output is { } file)
            {
                await using var stream = File.Create(file);
                report.Write(request.Format, stream);
            }
            else
            {
                await using var stdout = Console.OpenStandardOutput();
                report.Write(request.Format, stdout);
            }
            return result.Verdict.Passed ? ExitCodes.Passed : ExitCodes.VerdictFailed;
        }
        catch (Exception ex) when (ex is InvalidImageException or CiConfigException or ArgumentException or Analyzer.Images.Registry.RegistryException)
        {
            await Console.Error.WriteLineAsync($"layerlens: {ex.Message}");
            return ExitCodes.BadInput;
        }
    }

    /// <summary>The layer cache the options ask for (none with --no-cache, or without --cache-dir when no home directory is known).</summary>
    private static DirectoryLayerCache? OpenCache(AnalyzeRequest request)
    {
        if (request.CacheDir is not { } directory)
        {
            return null;
        }
        if (directory.Length == 0)
        {
            throw new ArgumentException("--cache-dir: empty path");
        }
        return new DirectoryLayerCache(directory, request.CacheMaxBytes);
    }

    /// <summary>SARIF names the file as given (repository-relative in CI, '/' separators for code scanning).</summary>
    private static SarifDockerfile LoadDockerfile(string path)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"--dockerfile {path}: no such file");
        }
        if (new FileInfo(path).Length > MaxDockerfileBytes)
        {
            throw new ArgumentException($"--dockerfile {path}: larger than {MaxDockerfileBytes:N0} bytes");
        }
        return new SarifDockerfile(path.Replace('\\', '/'), File.ReadAllText(path));
    }
}
