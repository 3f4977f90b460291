using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Layers.Cache;

namespace LayerLens.Web.LayerCache;

/// <summary>
/// The shared layer cache as one analysis sees it: a cached change set is handed out only when the
/// <see cref="LayerAccessRule"/> says this workspace was granted the layer; otherwise the engine reads the layer
/// as if nothing were cached, so the analysis ends exactly as a cold run does. Stores go through unchanged: the
/// engine stores only what it has just read and verified.
/// </summary>
public sealed class GrantedLayerCache(ILayerCache shared, LayerAccessRule rule, LayerCacheUse use) : ILayerCache
{
    public async ValueTask<CachedLayer?> TryGetAsync(LayerBlob layer, LayerCacheKey key, CancellationToken cancellationToken)
    {
        // Only an entry that exists is worth proving access for; a miss reads the layer anyway.
        if (await shared.TryGetAsync(layer, key, cancellationToken) is not { } hit)
        {
            return null;
        }
        if (!await rule.MayReuseAsync(layer, key, cancellationToken))
        {
            use.CountRefused();
            return null;
        }
        use.CountReused();
        return hit;
    }

    public ValueTask StoreAsync(LayerBlob layer, LayerCacheKey key, CachedLayer result, CancellationToken cancellationToken) =>
        shared.StoreAsync(layer, key, result, cancellationToken);
}
