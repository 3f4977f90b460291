using System.Text.Json.Nodes;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Parsing;
using LayerLens.Analyzer.BuildContexts;
using LayerLens.Analyzer.Optimisation.Measurement;
using LayerLens.Analyzer.Optimisation.Reports;
using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Analyzer.UseCases.DockerfileReviews;

namespace LayerLens.Analyzer.Tests.UseCases.DockerfileReviews;

/// <summary>Lint → optimise → measure, as <c>layerlens optimize</c> and the web's review job both run it.</summary>
public sealed class DockerfileReviewTests
{
    private const string Dockerfile = "FROM alpine:3.20\nCOPY secret.txt /app/\nRUN echo one\nRUN echo two\n";

    private static DockerfileReviewInput Input(string dockerfile, BuildContext context) =>
        new("Dockerfile", DockerfileDocument.From(DockerfileParser.Parse(DockerfileLoader.Load(dockerfile))), context);

    private static (string Dockerfile, BuildContext Context) Context(TempDir temp)
    {
        var root = Path.Combine(temp.Path, "context");
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "secret.txt"), "s3cret");
        var dockerfile = Path.Combine(root, "Dockerfile");
        File.WriteAllText(dockerfile, Dockerfile);
        return (dockerfile, BuildContext.Load(root, dockerfile));
    }

    [Fact]
    public async Task A_review_lints_and_optimises_and_measures_only_when_asked()
    {
        using var temp = new TempDir();
        var (dockerfile, context) = Context(temp);
        var phases = new List<string>();

        var review = await DockerfileReview.RunAsync(Input(dockerfile, context), phases.Add, CancellationToken.None);

        Assert.Contains(review.Lint.Findings, f => f.RuleId == "LL-3059" || f.HadolintId == "DL3059");
        Assert.Equal(Dockerfile, review.Optimisation.OriginalDockerfile);
        Assert.Null(review.Measured);
        Assert.Equal(["linting", "optimising"], phases);
    }

    [Fact]
    public async Task The_contexts_dockerignore_reaches_the_lint()
    {
        using var temp = new TempDir();
        var (dockerfile, _) = Context(temp);
        File.WriteAllText(Path.Combine(temp.Path, "context", ".dockerignore"), "secret.txt\n");

        var review = await DockerfileReview.RunAsync(Input(dockerfile, BuildContext.Load(Path.Combine(temp.Path, "context"), dockerfile)), null, CancellationToken.None);

        Assert.Contains(review.Lint.Findings, f => f.RuleId == "LL-5015");
    }

    [Fact]
    public async Task A_dockerignore_that_is_a_link_is_never_followed()
    {
        // An uploaded context is hostile: its .dockerignore may point at any file of the server. BuildContext.Load
        // refuses a linked one; the review reads the file again later, so a link appearing in between is refused too.
        using var temp = new TempDir();
        var (dockerfile, context) = Context(temp);
        var outside = Path.Combine(temp.Path, "outside-ignore");
        File.WriteAllText(outside, "secret.txt\n");
        File.CreateSymbolicLink(Path.Combine(temp.Path, "context", ".dockerignore"), outside);

        var review = await DockerfileReview.RunAsync(Input(dockerfile, context), null, CancellationToken.None);

        Assert.DoesNotContain(review.Lint.Findings, f => f.RuleId == "LL-5015");
    }

    [Fact]
    public async Task Measurement_is_not_attempted_without_a_context()
    {
        using var temp = new TempDir();
        var (dockerfile, _) = Context(temp);
        // Options that could not build anything: never used, since an unknown context cannot be measured.
        var input = Input(dockerfile, BuildContext.Unknown) with { Measure = new MeasureOptions { Runs = 1 } };

        var review = await DockerfileReview.RunAsync(input, null, CancellationToken.None);

        Assert.Null(review.Measured);
    }

    [Fact]
    public async Task The_review_report_carries_the_optimize_report_unchanged()
    {
        using var temp = new TempDir();
        var (dockerfile, context) = Context(temp);
        var review = await DockerfileReview.RunAsync(Input(dockerfile, context) with { Unpacked = new ReviewContext(3, 42, 1) }, null, CancellationToken.None);

        using var buffer = new MemoryStream();
        new DockerfileReviewReport(review).Write("json", buffer);
        var written = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        var reviewJson = JsonNode.Parse(written)!.AsObject();
        var optimizeJson = JsonNode.Parse(OptimizeReport.Json(review.Optimisation, review.Measured))!.AsObject();

        foreach (var (name, value) in optimizeJson)
        {
            Assert.True(JsonNode.DeepEquals(value, reviewJson[name]), name);
        }
        Assert.Equal(1, (int)reviewJson["context"]!["versionControlEntriesLeftOut"]!);
        // What the page reads is what was written.
        var read = ReportJson.ParseReview(written);
        Assert.Equal(written, ReportJson.Write(read));
        Assert.Equal(review.Lint.Findings.Count, read.Findings.Count);
    }
}
