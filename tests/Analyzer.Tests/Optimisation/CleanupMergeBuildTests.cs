using LayerLens.Analyzer.Optimisation.Measurement;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.TestInfrastructure.Images;
using Xunit.Abstractions;
using LayerLens.TestInfrastructure;

namespace LayerLens.Analyzer.Tests.Optimisation;

/// <summary>
/// A cleanup merged into the RUN that created the files, proved by real buildah builds: the equivalence check
/// passes, and the image engine finds exactly the deleted bytes gone from the recommendation's wasted bytes.
/// </summary>
[Collection(RealBuilds.Name)]
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class CleanupMergeBuildTests(BaseStore baseStore, ITestOutputHelper output)
{
    private const int TempBytes = 3 * 1024 * 1024;
    private const int CacheBytes = 1024 * 1024 + 17;

    private static readonly string Original = Fixtures.Base +
        $"RUN mkdir -p /tmp/build /root/.cache/tool && head -c {TempBytes} /dev/zero > /tmp/build/scratch.bin && head -c {CacheBytes} /dev/zero > /root/.cache/tool/blob && echo ok > /app.txt\n" +
        "ENV MODE=prod\n" +
        "RUN rm -rf /tmp/build /root/.cache/tool\n";

    [Fact]
    public async Task The_merged_cleanup_builds_an_equivalent_image_whose_waste_falls_by_the_deleted_bytes()
    {
        using var dir = new TempDir();
        Fixtures.Plain(dir);
        var result = Fixtures.Optimize(dir, Original);
        Assert.Single(result.Changes, c => c.Kind == "merge-cleanup");

        var measured = await RebuildMeasurement.MeasureAsync(result, MeasuredRebuildTests.OneRun(baseStore) with { Scenarios = new HashSet<string>() }, CancellationToken.None);
        Assert.Empty(measured.Failures);
        Assert.True(measured.Equivalent, string.Join("\n", measured.Differences));

        var original = await AnalyzeAsync("cleanup-merge-original", result.OriginalDockerfile);
        var recommended = await AnalyzeAsync("cleanup-merge-recommended", result.RecommendedDockerfile);
        output.WriteLine($"wasted bytes: original {original.WastedBytes}, recommended {recommended.WastedBytes}; size {original.SizeBytes} -> {recommended.SizeBytes}");

        // What the RUN wrote and the later RUN deleted: both files, every byte.
        const long created = TempBytes + CacheBytes;
        Assert.Equal(created, original.WastedBytes - recommended.WastedBytes);
        Assert.True(original.WastedBytes >= created);
        Assert.Equal(original.FinalBytes, recommended.FinalBytes);
    }

    private static async Task<LayerLens.Analyzer.Analysis.ImageAnalysis> AnalyzeAsync(string name, string dockerfile)
    {
        var recipe = ImageRecipe.FromDockerfile(name, dockerfile).WithHostFile("busybox", ImageRecipe.HostBusyboxPath, executable: true);
        var export = await ImageFactory.Shared.ExportAsync(recipe, new ImageExportOptions { Format = ImageFormat.OciLayout });
        return await AnalyzeHelper.AnalyzeAsync(RealImages.Source(export));
    }
}
