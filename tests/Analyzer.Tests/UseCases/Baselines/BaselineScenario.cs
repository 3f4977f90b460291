using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.UseCases.Baselines;
using LayerLens.Analyzer.UseCases.ImageReviews;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Analyzer.Tests.UseCases.Baselines;

/// <summary>
/// <see cref="BaselineScenarioImages"/> through the engine: the images written as real OCI layouts and analysed, the
/// Dockerfiles linted, the scenario's policy read.
/// </summary>
internal static class BaselineScenario
{
    public static async Task<ImageReviewResult> AnalyseAsync(TempDir temp, string name, SyntheticImage image, CiRules? rules = null)
    {
        var dir = temp.File(name);
        image.WriteOciLayout(dir);
        return await ImageReview.RunAsync(
            new ImageReviewRequest(ImageSourceSpec.Parse("oci:" + dir), new ImageOpenOptions()) { Rules = rules, ShownAs = name },
            null, null, CancellationToken.None);
    }

    public static async Task<ImageReport> ReportAsync(TempDir temp, string name, SyntheticImage image) =>
        ImageReport.From((await AnalyseAsync(temp, name, image)).Analysis, Verdict.None);

    public static ReviewedDockerfile Lint(string text, string name = "Dockerfile")
    {
        var document = DockerfileDocument.Parse(text, name);
        return ReviewedDockerfile.From(name, text, Linter.Lint(document, new LintOptions(), name));
    }

    public static RegressionPolicy RegressionPolicy() => LayerLens.Analyzer.Reports.Verdicts.RegressionPolicy.Default.Apply(BaselineScenarioImages.Policy, "layerlens.yaml");
}
