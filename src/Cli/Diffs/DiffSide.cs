using System.Text.Json;
using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Parsing;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.UseCases.Baselines;
using LayerLens.Analyzer.UseCases.ImageReviews;

namespace LayerLens.Cli.Diffs;

/// <summary>
/// One side of <c>layerlens diff</c>: an image (analysed as <c>analyze</c> does), a Dockerfile (linted as <c>lint</c>
/// does), or a saved schema v1 JSON report of either kind. Exactly one of <see cref="Image"/> and
/// <see cref="Dockerfile"/> is set.
/// </summary>
internal sealed record DiffSide(ImageReport? Image, ReviewedDockerfile? Dockerfile)
{
    /// <summary>A saved report larger than this is refused (reports of real images are a few megabytes).</summary>
    public const long MaxReportBytes = 256L * 1024 * 1024;

    public string Kind => Image is null ? DeltaReport.DockerfileKind : DeltaReport.ImageKind;

    public static async Task<DiffSide> LoadAsync(string source, ImageOpenOptions options, LintOptions lint, CancellationToken cancellationToken)
    {
        if (File.Exists(source) && IsJsonReport(source))
        {
            return ReadReport(source);
        }
        if (File.Exists(source) && IsDockerfile(source))
        {
            try
            {
                var text = DockerfileLoader.Load(source);
                var document = DockerfileDocument.From(DockerfileParser.Parse(text));
                return new DiffSide(null, ReviewedDockerfile.From(source, text.Text, Linter.Lint(document, lint, source)));
            }
            catch (DockerfileParseException ex)
            {
                throw new InvalidDataException(ex.Line > 0 ? $"{source}:{ex.Line}: {ex.Message}" : $"{source}: {ex.Message}", ex);
            }
        }
        var review = await ImageReview.RunAsync(new ImageReviewRequest(ImageSourceSpec.Parse(source), options), progress: null, phase: null, cancellationToken);
        return new DiffSide(ImageReport.From(review.Analysis, Verdict.None), null);
    }

    private static bool IsJsonReport(string path) =>
        path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || FirstByte(path) == '{';

    /// <summary>Dockerfile, Dockerfile.*, *.Dockerfile, Containerfile, as <c>lint</c> finds them.</summary>
    private static bool IsDockerfile(string path)
    {
        var name = Path.GetFileName(path);
        return name is "Dockerfile" or "Containerfile" || name.StartsWith("Dockerfile.", StringComparison.Ordinal)
            || name.StartsWith("Containerfile.", StringComparison.Ordinal) || name.EndsWith(".Dockerfile", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".dockerfile", StringComparison.OrdinalIgnoreCase);
    }

    private static int FirstByte(string path)
    {
        using var file = File.OpenRead(path);
        int b;
        while ((b = file.ReadByte()) is ' ' or '\t' or '\r' or '\n')
        {
        }
        return b;
    }

    private static DiffSide ReadReport(string path)
    {
        if (new FileInfo(path).Length > MaxReportBytes)
        {
            throw new InvalidDataException($"{path}: larger than {MaxReportBytes / (1024 * 1024)} MB, not a LayerLens report");
        }
        var json = File.ReadAllText(path);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path}: not a LayerLens report (a JSON object is expected)");
            }
            if (root.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.String && kind.GetString() == ReviewReport.DockerfileKind)
            {
                return new DiffSide(null, ReviewedDockerfile.From(Checked(ReportJson.ParseReview(json), path)));
            }
            if (root.TryGetProperty("layers", out _) && root.TryGetProperty("image", out _))
            {
                return new DiffSide(Checked(ReportJson.ParseImage(json), path), null);
            }
            throw new InvalidDataException($"{path}: not a LayerLens image or Dockerfile report (analyze --format json, or a review's JSON)");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not a valid LayerLens report: {ex.Message}", ex);
        }
    }

    /// <summary>Required parts a hand-edited report may lack: System.Text.Json leaves missing properties null.</summary>
    private static ImageReport Checked(ImageReport report, string path) =>
        report.Image?.Reference is null || report.Layers is null || report.Efficiency is null || report.Waste is null
            || report.Layers.Any(l => l is null) || report.Waste.Any(w => w is null || w.Path is null)
            ? throw new InvalidDataException($"{path}: the image report lacks image, layers, efficiency or waste")
            : report;

    private static ReviewReport Checked(ReviewReport report, string path) =>
        report.Dockerfile?.Text is null || report.Findings is null || report.Findings.Any(f => f?.RuleId is null || f.Message is null || f.Severity is null || f.File is null)
            ? throw new InvalidDataException($"{path}: the review report lacks its Dockerfile text or findings")
            : report;
}
