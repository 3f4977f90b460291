using LayerLens.Analyzer.Layers.Cache;
using LayerLens.Web.Configuration;
using LayerLens.Web.Storage;

namespace LayerLens.Web.LayerCache;

/// <summary>
/// The one layer-result cache of this data directory (<see cref="DataLayout.LayerCacheRoot"/>), shared by every
/// worker and workspace, bounded by <c>LayerLens:Cache:MaxBytes</c> with the engine's least-recently-used eviction;
/// none when <c>LayerLens:Cache:Enabled</c> is false. Analyses never see it directly: <see cref="For"/> wraps it
/// in the access rule of one analysis.
/// </summary>
public sealed class SharedLayerCache(ResolvedSettings settings, DataLayout layout)
{
    private readonly ILayerCache? _shared = settings.LayerCacheEnabled
        ? new DirectoryLayerCache(layout.LayerCacheRoot, settings.LayerCacheMaxBytes)
        : null;

    /// <summary>The cache as one analysis may use it, or null when the cache is off.</summary>
    public ILayerCache? For(LayerAccessRule rule, LayerCacheUse use) =>
        _shared is null ? null : new GrantedLayerCache(_shared, rule, use);
}
