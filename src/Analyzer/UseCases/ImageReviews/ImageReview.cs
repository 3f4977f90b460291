using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Layers.Cache;
using LayerLens.Analyzer.Reports.Verdicts;

namespace LayerLens.Analyzer.UseCases.ImageReviews;

/// <summary>What to review: the image source, how to open it, and the CI rules to judge it by (none: no verdict).</summary>
public sealed record ImageReviewRequest(ImageSourceSpec Source, ImageOpenOptions Options)
{
    public CiRules? Rules { get; init; }

    /// <summary>The name the report gives the image instead of its location (an upload's file name, not its blob path).</summary>
    public string? ShownAs { get; init; }

    /// <summary>Where layer results are kept between analyses (null: every layer is read).</summary>
    public ILayerCache? LayerCache { get; init; }
}

/// <summary>The analysis (named as the request asked) and its CI verdict.</summary>
public sealed record ImageReviewResult(ImageAnalysis Analysis, Verdict Verdict);

/// <summary>
/// Reviewing an image: source → analysis → verdict. <c>layerlens analyze</c> and the web's analysis job both run this;
/// each only adds how it reports progress and where the reports go.
/// </summary>
public static class ImageReview
{
    public static async Task<ImageReviewResult> RunAsync(
        ImageReviewRequest request, IProgress<AnalysisProgress>? progress, Action<string>? phase, CancellationToken cancellationToken)
    {
        phase?.Invoke("opening image");
        ImageAnalysis analysis;
        using (var image = await ImageOpener.OpenAsync(request.Source, request.Options, cancellationToken))
        {
            phase?.Invoke("reading layers");
            analysis = await ImageAnalyzer.AnalyzeAsync(image, request.Options.Limits, progress, request.LayerCache, cancellationToken);
        }
        if (request.ShownAs is { } name)
        {
            analysis = analysis with { Reference = name };
        }
        return new ImageReviewResult(analysis, request.Rules?.Evaluate(analysis) ?? Verdict.None);
    }
}
