using LayerLens.Analyzer.Layers.Cache;
using LayerLens.Analyzer.Tests.Analysis;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Analyzer.Tests.Layers.Cache;

/// <summary>
/// A report is the same byte for byte without a cache, with a cold cache and with a warm one, for every image and
/// source format the tests build; a warm analysis opens no layer blob (a classic docker-archive layer, known only by
/// its diff_id, is opened for its first bytes only).
/// </summary>
public sealed class LayerCacheIdentityTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [MemberData(nameof(ScenarioAnalysisTests.Formats), MemberType = typeof(ScenarioAnalysisTests))]
    public async Task Scenario_image_reports_are_identical_cold_and_warm(string format, LayerCompression compression)
    {
        var source = ScenarioAnalysisTests.Write(_temp, ScenarioImage.Create(compression), format);
        await AssertIdenticalColdAndWarmAsync(source, expectedLayers: 3, classicDockerArchive: format.Contains("docker-archive") && !format.EndsWith("-oci", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Layers_shared_with_another_image_are_not_read_again()
    {
        var cache = new CachedAnalysis.RecordingCache(new DirectoryLayerCache(_temp.File("cache")));
        // The same tar bytes (a builder stamps entries with the time it runs).
        var (layer0, layer1) = (ScenarioImage.Layer0(), ScenarioImage.Layer1());
        var parent = new SyntheticImage(layer0, layer1);
        parent.WriteOciLayout(_temp.File("parent"));
        await CachedAnalysis.AnalyzeAsync("oci:" + _temp.File("parent"), cache);

        var child = new SyntheticImage(layer0, layer1, ScenarioImage.Layer2());
        child.WriteOciLayout(_temp.File("child"));
        var warm = await CachedAnalysis.AnalyzeAsync("oci:" + _temp.File("child"), cache);
        var cold = await CachedAnalysis.AnalyzeAsync("oci:" + _temp.File("child"), cache: null);

        Assert.Equal(cold.Fingerprint, warm.Fingerprint);
        Assert.Equal(1, warm.BlobsOpened);
        Assert.Equal(3, cache.Stores);
    }

    [Fact]
    [Trait(Needs.Trait, Needs.Root)]
    [Trait(Needs.Trait, Needs.Buildah)]
    public async Task Real_buildah_images_give_identical_reports_cold_and_warm_in_every_format()
    {
        foreach (var (format, export) in await RealImages.GetAsync())
        {
            await AssertIdenticalColdAndWarmAsync(RealImages.Source(export), expectedLayers: WasteRecipe.LayerSizes.Length, classicDockerArchive: format == "docker-archive");
        }
    }

    private async Task AssertIdenticalColdAndWarmAsync(string source, int expectedLayers, bool classicDockerArchive)
    {
        var cache = new CachedAnalysis.RecordingCache(new DirectoryLayerCache(Path.Combine(_temp.Path, "cache-" + Guid.NewGuid().ToString("N"))));

        var uncached = await CachedAnalysis.AnalyzeAsync(source, cache: null);
        var filling = await CachedAnalysis.AnalyzeAsync(source, cache);
        var (storesAfterFill, hitsAfterFill) = (cache.Stores, cache.Hits);
        var warm = await CachedAnalysis.AnalyzeAsync(source, cache);

        Assert.Equal(expectedLayers, uncached.Analysis.Layers.Count);
        Assert.Equal(uncached.Fingerprint, filling.Fingerprint);
        Assert.Equal(uncached.Fingerprint, warm.Fingerprint);
        // Layers with the same digests are stored once each time they are read (or hit when one was stored first).
        Assert.Equal(expectedLayers, storesAfterFill + hitsAfterFill);
        Assert.Equal(storesAfterFill, cache.Stores);
        Assert.Equal(expectedLayers, cache.Hits - hitsAfterFill);
        // Opened only to sniff a classic docker-archive layer's first bytes; never read through.
        Assert.Equal(classicDockerArchive ? expectedLayers : 0, warm.BlobsOpened);
    }
}
