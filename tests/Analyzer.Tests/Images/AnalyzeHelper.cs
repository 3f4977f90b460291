using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images;

namespace LayerLens.Analyzer.Tests.Images;

internal static class AnalyzeHelper
{
    public static async Task<ImageAnalysis> AnalyzeAsync(string source, AnalysisLimits? limits = null, Platform? platform = null)
    {
        var options = new ImageOpenOptions { Limits = limits ?? AnalysisLimits.Default, Platform = platform };
        using var image = await ImageOpener.OpenAsync(source, options);
        return await ImageAnalyzer.AnalyzeAsync(image, options.Limits);
    }
}
