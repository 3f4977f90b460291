using System.CommandLine;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Reports.Deltas;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.UseCases.Baselines;
using LayerLens.Cli.Diffs;

namespace LayerLens.Cli.Commands;

/// <summary>
/// <c>layerlens diff &lt;baseline&gt; &lt;current&gt;</c>: the delta of two images, two Dockerfiles or two saved JSON
/// reports, judged by the regression policy, without a service. The comparison is the engine's
/// <see cref="BaselineComparison"/>, the same the service's compare endpoint makes. Exit codes as <c>analyze --ci</c>:
/// 0 passed, 1 a regression rule failed, 2 bad input, 3 internal error.
/// </summary>
internal static class DiffCommand
{
    private static readonly string[] LintConfigNames = ["layerlens.yaml", ".hadolint.yaml", ".hadolint.yml"];

    public static Command Create()
    {
        var baseline = new Argument<string>("baseline") { Description = "the baseline (a): an image source as for analyze, a Dockerfile, or a saved JSON report" };
        var current = new Argument<string>("current") { Description = "the change (b), of the same kind as the baseline" };
        var format = new Option<string>("--format") { Description = "report format", DefaultValueFactory = _ => "markdown" };
        format.AcceptOnlyFromAmong([.. DeltaReportSet.Formats]);
        var output = new Option<string?>("--output", "-o") { Description = "write the report to FILE instead of stdout" };
        var policy = new Option<string?>("--policy") { Description = "layerlens.yaml with a regression: section (default: layerlens.yaml in the current directory)" };
        var compareUrl = new Option<string?>("--compare-url") { Description = "a link to the Compare page, for the Markdown report" };
        var platform = new Option<string?>("--platform") { Description = "os/arch[/variant] to pick from multi-platform images" };
        var creds = new Option<string?>("--creds") { Description = "registry credentials user:password" };
        var insecure = new Option<bool>("--insecure") { Description = "allow plain-HTTP registries on loopback addresses" };
        var command = new Command("diff", "Compare a change with its baseline: size, waste and layer deltas, new findings, regression verdict")
        {
            baseline, current, format, output, policy, compareUrl, platform, creds, insecure,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(new DiffRequest(
            parse.GetValue(baseline)!, parse.GetValue(current)!, parse.GetValue(format)!, parse.GetValue(output), parse.GetValue(policy),
            parse.GetValue(compareUrl), parse.GetValue(platform), parse.GetValue(creds), parse.GetValue(insecure)), cancellationToken));
        return command;
    }

    private sealed record DiffRequest(string Baseline, string Current, string Format, string? Output, string? Policy, string? CompareUrl,
        string? Platform, string? Creds, bool Insecure);

    private static async Task<int> RunAsync(DiffRequest request, CancellationToken cancellationToken)
    {
        try
        {
            // The policy first: a broken file fails before a long analysis.
            var policy = RegressionPolicy.Load(request.Policy, Directory.GetCurrentDirectory());
            var configFile = request.Policy ?? LintConfigNames.FirstOrDefault(File.Exists);
            var lint = configFile is null ? new LintOptions() : LintConfigLoader.Load(configFile);
            var options = new ImageOpenOptions
            {
                Platform = request.Platform is null ? null : Platform.Parse(request.Platform),
                Registry = RegistryOptionsFactory.Create(request.Creds, request.Insecure),
            };
            var before = await DiffSide.LoadAsync(request.Baseline, options, lint, cancellationToken);
            var after = await DiffSide.LoadAsync(request.Current, options, lint, cancellationToken);
            if (before.Kind != after.Kind)
            {
                throw new ArgumentException($"{request.Baseline} is {Article(before.Kind)} and {request.Current} {Article(after.Kind)}: compare two of the same kind");
            }
            var report = after.Image is { } image
                ? BaselineComparison.Compare(before.Image, image, policy)
                : BaselineComparison.Compare(before.Dockerfile, after.Dockerfile!, policy);
            var set = new DeltaReportSet(report, new DeltaReportOptions(request.CompareUrl));
            await using (var stream = request.Output is { } file ? File.Create(file) : Console.OpenStandardOutput())
            {
                set.Write(request.Format, stream);
                if (request.Format == "sarif")
                {
                    stream.WriteByte((byte)'\n');
                }
            }
            foreach (var warning in report.Baseline.Verdict.Warnings)
            {
                await Console.Error.WriteLineAsync($"layerlens: warning: {warning.Rule}: {warning.Message}");
            }
            return report.Baseline.Verdict.Passed ? ExitCodes.Passed : ExitCodes.VerdictFailed;
        }
        catch (Exception ex) when (ex is InvalidImageException or CiConfigException or ArgumentException or InvalidDataException or FormatException
            or FileNotFoundException or UnauthorizedAccessException or Analyzer.Images.Registry.RegistryException)
        {
            await Console.Error.WriteLineAsync($"layerlens: {ex.Message}");
            return ExitCodes.BadInput;
        }
    }

    private static string Article(string kind) => kind == "image" ? "an image" : "a Dockerfile";
}
