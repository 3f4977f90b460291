using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Layers.Cache;

/// <summary>
/// Where the engine keeps what it learned from layers it has read, so an analysis reads only the layers it has not
/// seen. The engine asks <see cref="TryGetAsync"/> before it opens a layer's blob: a layer answered from the cache is
/// never opened (for a registry: never downloaded). It calls <see cref="StoreAsync"/> only after a layer was read
/// to its end and both digests checked out. A decorator decides per layer whether this caller may use a cached
/// result (return null to refuse: the layer is then read as if nothing were cached) and may record, in
/// <see cref="StoreAsync"/>, that this caller has just proved it holds the layer's content.
/// A hit is not proof the caller holds the content: it only says what a layer with these digests contains.
/// </summary>
public interface ILayerCache
{
    /// <summary>
    /// The result kept under <paramref name="key"/>, or null (none, unreadable, or refused). <paramref name="layer"/>
    /// is the layer of the image being analysed, nothing of it has been read yet. Failures of the cache itself
    /// should be answered with null: a cache never makes an analysis fail.
    /// </summary>
    ValueTask<CachedLayer?> TryGetAsync(LayerBlob layer, LayerCacheKey key, CancellationToken cancellationToken);

    /// <summary>
    /// Keeps <paramref name="result"/> of <paramref name="layer"/>, read and verified just now; <paramref name="key"/>
    /// names the computed digests. Failures of the cache itself should be swallowed.
    /// </summary>
    ValueTask StoreAsync(LayerBlob layer, LayerCacheKey key, CachedLayer result, CancellationToken cancellationToken);
}
