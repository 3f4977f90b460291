using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Layers.Cache;
using LayerLens.Data;
using LayerLens.Data.Blobs;
using LayerLens.Data.Tenancy;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.Web.Configuration;
using LayerLens.Web.Jobs;
using LayerLens.Web.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace LayerLens.Web.Tests.LayerCache;

/// <summary>
/// Blob retention (the real service on a real SQLite database) deletes old blobs and sweeps grants; the layer cache
/// lives beside blobs/, not in it, so a sweep that removes every aged blob leaves every cached change set usable.
/// </summary>
public sealed class LayerCacheRetentionTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("layerlens-cache-retention-").FullName;
    private readonly TestDatabase _database = new();

    private sealed class CountingCache(ILayerCache inner) : ILayerCache
    {
        public int Hits;

        public async ValueTask<CachedLayer?> TryGetAsync(LayerBlob layer, LayerCacheKey key, CancellationToken cancellationToken)
        {
            var hit = await inner.TryGetAsync(layer, key, cancellationToken);
            if (hit is not null)
            {
                Interlocked.Increment(ref Hits);
            }
            return hit;
        }

        public ValueTask StoreAsync(LayerBlob layer, LayerCacheKey key, CachedLayer result, CancellationToken cancellationToken) =>
            inner.StoreAsync(layer, key, result, cancellationToken);
    }

    [Fact]
    public async Task A_retention_sweep_that_deletes_every_aged_blob_leaves_the_layer_cache_whole()
    {
        var settings = new ResolvedSettings(_data, DatabaseProvider.Sqlite, _database.ConnectionString, JobStorageProvider.Embedded, "", false) { BlobRetentionDays = 1 };
        var layout = new DataLayout(settings);
        var image = new SyntheticImage(new LayerTarBuilder().Dir("a").File("a/one.txt", "1").Build(), new LayerTarBuilder().File("a/two.txt", "2").Build());
        var source = Path.Combine(_data, "image");
        image.WriteOciLayout(source);
        async Task<(ImageAnalysis Analysis, int Hits)> AnalyseAsync()
        {
            var cache = new CountingCache(new DirectoryLayerCache(layout.LayerCacheRoot, settings.LayerCacheMaxBytes));
            using var opened = await ImageOpener.OpenAsync("oci:" + source, new ImageOpenOptions(), CancellationToken.None);
            return (await ImageAnalyzer.AnalyzeAsync(opened, layerCache: cache), cache.Hits);
        }
        var (cold, _) = await AnalyseAsync();
        var entries = Directory.GetFiles(layout.LayerCacheRoot, "*", SearchOption.AllDirectories);
        Assert.NotEmpty(entries);

        using var blobs = new BlobStore(_data);
        var upload = await blobs.WriteAsync(new MemoryStream("an old upload"u8.ToArray()), long.MaxValue, CancellationToken.None);
        foreach (var file in entries.Append(blobs.PathOf(upload.Digest)))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddDays(-60));
        }
        var retention = new BlobRetention(_database.Provider.GetRequiredService<SystemDbContextFactory>(), blobs, settings, NullLogger<BlobRetention>.Instance);
        Assert.Equal(1, await retention.SweepAsync(CancellationToken.None));

        Assert.False(blobs.Exists(upload.Digest));
        Assert.All(entries, e => Assert.True(File.Exists(e), e));
        var (warm, hits) = await AnalyseAsync();
        Assert.Equal(2, hits);
        Assert.Equal(cold.FileCount, warm.FileCount);
        Assert.Equal(cold.SizeBytes, warm.SizeBytes);
    }

    public void Dispose()
    {
        _database.Dispose();
        Directory.Delete(_data, recursive: true);
    }
}
