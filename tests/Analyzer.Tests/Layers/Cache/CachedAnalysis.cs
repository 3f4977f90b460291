using System.Text;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.FileTree;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Layers.Cache;
using LayerLens.Analyzer.Reports;
using LayerLens.Analyzer.Reports.Verdicts;

namespace LayerLens.Analyzer.Tests.Layers.Cache;

/// <summary>Analyses with and without a layer cache, counting what the engine asked the cache and which blobs it opened.</summary>
internal static class CachedAnalysis
{
    /// <summary>A real <see cref="DirectoryLayerCache"/> that also records each answer it gave.</summary>
    public sealed class RecordingCache(ILayerCache inner) : ILayerCache
    {
        public int Hits;
        public int Misses;
        public int Stores;

        public async ValueTask<CachedLayer?> TryGetAsync(LayerBlob layer, LayerCacheKey key, CancellationToken cancellationToken)
        {
            var hit = await inner.TryGetAsync(layer, key, cancellationToken);
            Interlocked.Increment(ref hit is null ? ref Misses : ref Hits);
            return hit;
        }

        public ValueTask StoreAsync(LayerBlob layer, LayerCacheKey key, CachedLayer result, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Stores);
            return inner.StoreAsync(layer, key, result, cancellationToken);
        }
    }

    public sealed record Run(ImageAnalysis Analysis, string Fingerprint, int BlobsOpened);

    public static async Task<Run> AnalyzeAsync(string source, ILayerCache? cache, AnalysisLimits? limits = null)
    {
        var options = new ImageOpenOptions { Limits = limits ?? AnalysisLimits.Default };
        using var image = await ImageOpener.OpenAsync(source, options);
        var opened = 0;
        var counted = new ResolvedImage(null)
        {
            Reference = image.Reference,
            ManifestDigest = image.ManifestDigest,
            ConfigDigest = image.ConfigDigest,
            Config = image.Config,
            Layers = image.Layers.Select(l => new LayerBlob
            {
                Index = l.Index,
                Digest = l.Digest,
                DiffId = l.DiffId,
                MediaType = l.MediaType,
                CompressedSize = l.CompressedSize,
                Open = ct =>
                {
                    Interlocked.Increment(ref opened);
                    return l.Open(ct);
                },
            }).ToList(),
        };
        var analysis = await ImageAnalyzer.AnalyzeAsync(counted, options.Limits, layerCache: cache);
        return new Run(analysis, Fingerprint(analysis), opened);
    }

    /// <summary>The JSON report (every number and waste item) and the file tree at every layer.</summary>
    public static string Fingerprint(ImageAnalysis analysis)
    {
        using var json = new MemoryStream();
        new JsonReportWriter().Write(analysis, Verdict.None, json);
        var text = new StringBuilder(Encoding.UTF8.GetString(json.ToArray()));
        for (var layer = 0; layer < analysis.Layers.Count; layer++)
        {
            text.Append("\n# layer ").Append(layer).Append('\n');
            Walk(analysis.Tree, layer, "/", text);
        }
        return text.ToString();
    }

    private static void Walk(LayeredTree tree, int layer, string path, StringBuilder text)
    {
        foreach (var e in tree.ListDirectory(layer, path))
        {
            text.Append(e).Append('\n');
            if (e.IsDirectory)
            {
                Walk(tree, layer, e.Path, text);
            }
        }
    }
}
