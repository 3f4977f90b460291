using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Layers.Cache;

namespace LayerLens.Web.LayerCache;

/// <summary>
/// The shared layer cache as one analysis sees it: a cached change set is handed out only when the
/// <see cref="LayerAccessRule"/> says this workspace was granted the layer; otherwise the engine reads the layer
/// as if nothing were cached, so the analysis ends exactly as a cold run does. The rule is decided before the entry is
/// read: a refused workspace neither loads the entry nor refreshes its place in the least-recently-used order.
/// Stores go through unchanged: the engine stores only what it has just read and verified.
/// </summary>
public sealed class GrantedLayerCache(ILayerCache shared, LayerAccessRule rule, LayerCacheUse use) : ILayerCache
{
    public async ValueTask<CachedLayer?> TryGetAsync(LayerBlob layer, LayerCacheKey key, CancellationToken cancellationToken)
    {
        // Only an entry that exists is worth proving access for (an upload's proof hashes its blob); a miss reads the
        // layer anyway. The existence check neither reads the entry nor touches it.
        if (!MayHold(key))
        {
            return null;
        }
        if (!await rule.MayReuseAsync(layer, key, cancellationToken))
        {
            use.CountRefused();
            return null;
        }
        if (await shared.TryGetAsync(layer, key, cancellationToken) is not { } hit)
        {
            return null;
        }
        use.CountReused();
        return hit;
    }

    public ValueTask StoreAsync(LayerBlob layer, LayerCacheKey key, CachedLayer result, CancellationToken cancellationToken) =>
        shared.StoreAsync(layer, key, result, cancellationToken);

    /// <summary>False only when the cache can tell, without reading, that it has no entry; any other cache is asked after the rule.</summary>
    private bool MayHold(LayerCacheKey key) => shared is not DirectoryLayerCache directory || File.Exists(directory.PathOf(key));
}
