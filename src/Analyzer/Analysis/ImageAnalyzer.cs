using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.FileTree;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Layers;
using LayerLens.Analyzer.Layers.Cache;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.Analysis;

/// <summary>
/// source → blobs → layer change sets (in parallel) → merged tree (in order) → metrics and waste.
/// With a <see cref="ILayerCache"/>, a layer it already knows is restored from it instead of being opened.
/// </summary>
public static class ImageAnalyzer
{
    public static async Task<ImageAnalysis> AnalyzeAsync(
        ResolvedImage image,
        AnalysisLimits? limits = null,
        IProgress<AnalysisProgress>? progress = null,
        ILayerCache? layerCache = null,
        CancellationToken cancellationToken = default)
    {
        limits ??= AnalysisLimits.Default;
        var paths = new PathTable();
        var budget = new ImageByteBudget(limits.MaxImageUncompressedBytes);
        var count = image.Layers.Count;
        var changes = new LayerChangeSet[count];
        var reads = new (long Compressed, long Uncompressed, CompressionKind Kind, string Digest)[count];
        var done = 0;
        long bytesRead = 0;
        var total = image.Layers.Sum(l => Math.Max(0, l.CompressedSize));

        // Largest blobs first so the longest layer does not start last.
        var order = image.Layers.OrderByDescending(l => l.CompressedSize).ToList();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(order, parallel, async (layer, ct) =>
        {
            if (layerCache is not null && await LayerCacheLookup.FindAsync(layerCache, layer, limits, ct) is { } hit)
            {
                if (!budget.TryConsume(hit.UncompressedBytes))
                {
                    throw new InvalidImageException($"{layer.Describe()}: the image's uncompressed size passes the limit of {budget.Limit} bytes");
                }
                changes[layer.Index] = hit.Restore(layer.Index, paths);
                reads[layer.Index] = (hit.CompressedBytes, hit.UncompressedBytes, hit.Compression, hit.BlobDigest);
                progress?.Report(new AnalysisProgress(Interlocked.Increment(ref done), count, Interlocked.Add(ref bytesRead, hit.CompressedBytes), total));
                return;
            }
            await using var raw = await layer.Open(ct);
            using var blob = new LayerBlobStream(raw, layer, limits, budget);
            if (progress is not null)
            {
                blob.Progress = delta => progress.Report(new AnalysisProgress(Volatile.Read(ref done), count, Interlocked.Add(ref bytesRead, delta), total));
            }
            changes[layer.Index] = LayerTarReader.Read(blob, layer.Index, layer.Describe(), paths, limits, budget);
            blob.Complete();
            reads[layer.Index] = (blob.CompressedBytesRead, blob.UncompressedBytesRead, blob.Compression, blob.ComputedDigest);
            if (layerCache is not null && layer.DiffId is { } verifiedDiffId)
            {
                await LayerCacheLookup.StoreAsync(layerCache, layer, changes[layer.Index], paths, limits,
                    blob.ComputedDigest, verifiedDiffId, blob.CompressedBytesRead, blob.UncompressedBytesRead, blob.Compression, ct);
            }
            progress?.Report(new AnalysisProgress(Interlocked.Increment(ref done), count, Interlocked.Add(ref bytesRead, blob.UnreportedBytes), total));
        });

        var tree = LayeredTree.Merge(paths, changes, image.Layers.Select(l => l.Describe()).ToList());
        var final = tree.Final(JunkRules.Default);
        var createdBy = HistoryMapper.CreatedBy(image.Config, count);

        var layers = new List<LayerAnalysis>(count);
        for (var i = 0; i < count; i++)
        {
            layers.Add(new LayerAnalysis
            {
                Index = i,
                Digest = image.Layers[i].Digest ?? reads[i].Digest,
                DiffId = image.Layers[i].DiffId,
                CompressedSizeBytes = reads[i].Compressed,
                SizeBytes = changes[i].SizeBytes,
                UncompressedTarBytes = reads[i].Uncompressed,
                Compression = reads[i].Kind,
                CreatedBy = createdBy[i],
                EntryCount = changes[i].EntryCount,
                Added = tree.Stats[i].Added,
                Modified = tree.Stats[i].Modified,
                Removed = tree.Stats[i].Removed,
            });
        }

        var size = layers.Sum(l => l.SizeBytes);
        var waste = tree.DeadBytes().Concat(final.Duplicates).Concat(final.Junk)
            .OrderByDescending(w => w.Bytes).ThenBy(w => w.Path, StringComparer.Ordinal).ThenBy(w => w.Kind)
            .ToList();
        return new ImageAnalysis
        {
            Reference = image.Reference,
            Digest = image.ManifestDigest ?? image.ConfigDigest,
            Platform = image.Platform,
            CompressedSizeBytes = layers.Sum(l => l.CompressedSizeBytes),
            SizeBytes = size,
            FinalBytes = final.FinalBytes,
            FileCount = final.FileCount,
            WastedBytes = size - final.FinalBytes,
            Efficiency = size == 0 ? 1.0 : (double)final.FinalBytes / size,
            DuplicateBytes = final.DuplicateBytes,
            Layers = layers,
            Waste = waste,
            Config = HistoryMapper.Summarize(image.Config),
            Tree = tree,
        };
    }
}
