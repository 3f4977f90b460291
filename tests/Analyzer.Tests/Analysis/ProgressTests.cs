using LayerLens.Analyzer.Tests.Images;
using System.Collections.Concurrent;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Images;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Analyzer.Tests.Analysis;

public class ProgressTests
{
    private sealed class Recorder : IProgress<AnalysisProgress>
    {
        public ConcurrentQueue<AnalysisProgress> Reports { get; } = new();

        public void Report(AnalysisProgress value) => Reports.Enqueue(value);
    }

    [Fact]
    public async Task Progress_counts_every_layer_and_every_compressed_byte()
    {
        using var temp = new TempDir();
        // Random content does not compress: the 3 MiB layer reports progress while it is being read.
        var image = new SyntheticImage(
            new LayerTarBuilder().File("big", 3 << 20, seed: 1).Build(),
            new LayerTarBuilder().File("small", 10, seed: 2).Build());
        image.WriteOciLayout(temp.File("oci"));
        using var resolved = await ImageOpener.OpenAsync("oci:" + temp.File("oci"), new ImageOpenOptions());
        var recorder = new Recorder();

        var result = await ImageAnalyzer.AnalyzeAsync(resolved, progress: recorder);

        var reports = recorder.Reports.ToList();
        Assert.True(reports.Count > 2, "expected reports during the big layer as well as one per layer");
        Assert.Equal(2, reports.Max(r => r.LayersDone));
        Assert.Equal(result.CompressedSizeBytes, reports.Max(r => r.BytesRead));
        Assert.All(reports, r => Assert.Equal(result.CompressedSizeBytes, r.TotalBytes));
    }
}
