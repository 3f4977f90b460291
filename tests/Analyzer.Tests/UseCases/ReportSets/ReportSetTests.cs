using System.Text;
using LayerLens.Analyzer.Reports;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.Analyzer.Tests.Analysis;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.Analyzer.UseCases.ImageReviews;
using LayerLens.Analyzer.UseCases.ReportSets;

namespace LayerLens.Analyzer.Tests.UseCases.ReportSets;

/// <summary>One result written in several formats, each to its own stream, with what follows it.</summary>
public sealed class ReportSetTests
{
    private static async Task<ImageReviewResult> ReviewAsync(TempDir temp)
    {
        var source = ScenarioAnalysisTests.Write(temp, ScenarioImage.Create(), "docker-archive-classic");
        return new ImageReviewResult(await AnalyzeHelper.AnalyzeAsync(source), Verdict.None);
    }

    [Fact]
    public async Task Every_format_gets_its_own_stream_with_the_writers_bytes_and_its_trailer()
    {
        using var temp = new TempDir();
        var review = await ReviewAsync(temp);
        var streams = new Dictionary<string, MemoryStream>();

        await ReportSet.WriteAsync(
            new ImageReviewReport(review),
            ReportSet.ServiceFormats,
            format => streams[format] = new MemoryStream(),
            (format, stream) => stream.Write(Encoding.UTF8.GetBytes($"<{format}>")),
            CancellationToken.None);

        Assert.Equal(ReportSet.ServiceFormats, streams.Keys);
        foreach (var (format, stream) in streams)
        {
            using var alone = new MemoryStream();
            ReportFormats.For(format).Write(review.Analysis, review.Verdict, alone);
            Assert.Equal(Encoding.UTF8.GetString(alone.ToArray()) + $"<{format}>", Encoding.UTF8.GetString(stream.ToArray()));
        }
    }

    [Fact]
    public async Task A_cancelled_set_opens_no_further_stream()
    {
        using var temp = new TempDir();
        var review = await ReviewAsync(temp);
        using var cancel = new CancellationTokenSource();
        var opened = new List<string>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReportSet.WriteAsync(
            new ImageReviewReport(review),
            ReportSet.ServiceFormats,
            format =>
            {
                opened.Add(format);
                cancel.Cancel();
                return new MemoryStream();
            },
            null,
            cancel.Token));

        Assert.Equal([ReportSet.ServiceFormats[0]], opened);
    }
}
