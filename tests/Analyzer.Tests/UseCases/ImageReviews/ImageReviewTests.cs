using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Reports;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.Analyzer.Tests.Analysis;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.Analyzer.UseCases.ImageReviews;

namespace LayerLens.Analyzer.Tests.UseCases.ImageReviews;

/// <summary>Source → analysis → verdict, as <c>layerlens analyze</c> and the web's analysis job both run it.</summary>
public sealed class ImageReviewTests
{
    [Fact]
    public async Task The_review_gives_the_engines_numbers_and_no_verdict_without_rules()
    {
        using var temp = new TempDir();
        var source = ScenarioAnalysisTests.Write(temp, ScenarioImage.Create(), "docker-archive-classic");

        var review = await ImageReview.RunAsync(new ImageReviewRequest(ImageSourceSpec.Parse(source), new ImageOpenOptions()), null, null, CancellationToken.None);

        Assert.Equal(ScenarioImage.WastedBytes, review.Analysis.WastedBytes);
        Assert.Equal(ScenarioImage.FinalBytes, review.Analysis.FinalBytes);
        Assert.Equal(source, review.Analysis.Reference);
        Assert.Same(Verdict.None, review.Verdict);
    }

    [Fact]
    public async Task A_shown_name_replaces_the_location_in_every_report_and_the_rules_judge_the_named_image()
    {
        using var temp = new TempDir();
        var source = ScenarioAnalysisTests.Write(temp, ScenarioImage.Create(), "docker-archive-classic");
        var rules = CiRules.DiveDefaults.Apply("rules:\n  highestWastedBytes: 1KB\n", "test rules");
        var phases = new List<string>();

        var review = await ImageReview.RunAsync(
            new ImageReviewRequest(ImageSourceSpec.Parse(source), new ImageOpenOptions()) { Rules = rules, ShownAs = "upload.tar" },
            null, phases.Add, CancellationToken.None);

        Assert.Equal("upload.tar", review.Analysis.Reference);
        // The server's path never reaches a report.
        foreach (var format in ReportFormats.Names)
        {
            using var buffer = new MemoryStream();
            ReportFormats.For(format).Write(review.Analysis, review.Verdict, buffer);
            Assert.DoesNotContain(temp.Path, System.Text.Encoding.UTF8.GetString(buffer.ToArray()), StringComparison.Ordinal);
        }
        // 2130 wasted bytes are over 1 KB.
        Assert.False(review.Verdict.Passed);
        Assert.Contains(review.Verdict.Failures, f => f.Rule == "highestWastedBytes");
        Assert.Equal(["opening image", "reading layers"], phases);
    }

    [Fact]
    public async Task A_missing_archive_is_bad_input_naming_it()
    {
        using var temp = new TempDir();
        var missing = "docker-archive:" + temp.File("absent.tar");

        var ex = await Assert.ThrowsAnyAsync<Exception>(() =>
            ImageReview.RunAsync(new ImageReviewRequest(ImageSourceSpec.Parse(missing), new ImageOpenOptions()), null, null, CancellationToken.None));

        Assert.True(ex is InvalidImageException or IOException, ex.GetType().Name);
        Assert.Contains("absent.tar", ex.Message, StringComparison.Ordinal);
    }
}
