using System.CommandLine;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Reports;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Cli.Progress;

namespace LayerLens.Cli.Commands;

/// <summary><c>layerlens analyze &lt;source&gt;</c>: read an image, report its waste, and judge it in CI.</summary>
internal static class AnalyzeCommand
{
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

        var command = new Command("analyze", "Analyse a container image: sizes, wasted bytes, duplicates, junk, per layer.");
        command.Arguments.Add(source);
        foreach (var option in new Option[] { platform, format, output, ci, ciConfig, creds, insecure })
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
                parse.GetValue(insecure));
            return await RunAsync(request, cancellationToken);
        });
        return command;
    }

    private sealed record AnalyzeRequest(string Source, string? Platform, string Format, string? Output, bool Ci, string? CiConfig, string? Creds, bool Insecure);

    private static async Task<int> RunAsync(AnalyzeRequest request, CancellationToken cancellationToken)
    {
        try
        {
            // Read the CI rules first: a broken rules file should fail before a long analysis.
            var rules = request.Ci || request.CiConfig is not null ? CiRules.Load(request.CiConfig, Directory.GetCurrentDirectory()) : null;
            var options = new ImageOpenOptions
            {
                Platform = request.Platform is null ? null : Platform.Parse(request.Platform),
                Registry = RegistryOptionsFactory.Create(request.Creds, request.Insecure),
            };

            ImageAnalysis analysis;
            using (var image = await ImageOpener.OpenAsync(request.Source, options, cancellationToken))
            {
                analysis = await ProgressDisplay.RunAsync(
                    progress => ImageAnalyzer.AnalyzeAsync(image, options.Limits, progress, cancellationToken));
            }

            var verdict = rules?.Evaluate(analysis) ?? Verdict.None;
            var writer = ReportFormats.For(request.Format);
            if (request.Output is { } file)
            {
                await using var stream = File.Create(file);
                writer.Write(analysis, verdict, stream);
            }
            else
            {
                await using var stdout = Console.OpenStandardOutput();
                writer.Write(analysis, verdict, stdout);
            }
            return verdict.Passed ? ExitCodes.Passed : ExitCodes.VerdictFailed;
        }
        catch (Exception ex) when (ex is InvalidImageException or CiConfigException or ArgumentException or Analyzer.Images.Registry.RegistryException)
        {
            await Console.Error.WriteLineAsync($"layerlens: {ex.Message}");
            return ExitCodes.BadInput;
        }
    }
}
