using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Layers.Cache;

/// <summary>The engine's side of an <see cref="ILayerCache"/>: which key a layer claims, and when a hit may stand in for a read.</summary>
public static class LayerCacheLookup
{
    /// <summary>
    /// The cached result that stands in for reading <paramref name="layer"/>, or null when the layer must be read.
    /// A result is used only when it was stored for exactly the digests the image claims and, where the image states
    /// the blob's size, for a blob of that size (a cold read checks all three).
    /// </summary>
    public static async ValueTask<CachedLayer?> FindAsync(ILayerCache cache, LayerBlob layer, AnalysisLimits limits, CancellationToken ct)
    {
        var uncompressed = layer.Digest is null && layer.DiffId is not null && await IsUncompressedAsync(layer, ct);
        if (LayerCacheKey.Claimed(layer, limits, uncompressed) is not { } key)
        {
            return null;
        }
        var hit = await cache.TryGetAsync(layer, key, ct);
        if (hit is null || hit.BlobDigest != key.BlobDigest || hit.DiffId != key.DiffId
            || layer.CompressedSize >= 0 && hit.CompressedBytes != layer.CompressedSize)
        {
            return null;
        }
        return hit;
    }

    /// <summary>Captures a verified read and hands it to the cache.</summary>
    public static ValueTask StoreAsync(
        ILayerCache cache, LayerBlob layer, LayerChangeSet changes, PathTable paths, AnalysisLimits limits,
        string blobDigest, string diffId, long compressedBytes, long uncompressedBytes, CompressionKind compression, CancellationToken ct)
    {
        var result = CachedLayer.Capture(changes, paths, blobDigest, diffId, compressedBytes, uncompressedBytes, compression);
        return cache.StoreAsync(layer, LayerCacheKey.Verified(blobDigest, diffId, limits), result, ct);
    }

    /// <summary>A layer known only by its diff_id (classic docker-archive) is keyed by it when its blob is a plain tar.</summary>
    private static async ValueTask<bool> IsUncompressedAsync(LayerBlob layer, CancellationToken ct)
    {
        try
        {
            await using var raw = await layer.Open(ct);
            var head = new byte[4];
            var got = await raw.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
            return Compression.Sniff(head.AsSpan(0, got)) == CompressionKind.None;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
