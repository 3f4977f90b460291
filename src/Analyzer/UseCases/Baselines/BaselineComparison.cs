using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Analyzer.Reports.Verdicts;

namespace LayerLens.Analyzer.UseCases.Baselines;

/// <summary>
/// Comparing a result with its baseline: two schema v1 reports (a null baseline: there is none) → the deltas and
/// the regression verdict, as a <see cref="DeltaReport"/>. <c>layerlens diff</c> and the service's compare endpoint
/// both call this; <see cref="DeltaReportSet"/> writes the result in every format.
/// </summary>
public static class BaselineComparison
{
    /// <summary>An image against its baseline image: sizes, waste, efficiency, files, layers, new waste.</summary>
    public static DeltaReport Compare(ImageReport? baseline, ImageReport current, RegressionPolicy policy, BaselineIdentity? identity = null)
    {
        var subject = Subject(current);
        if (baseline is null)
        {
            return NoBaseline(DeltaReport.ImageKind, subject, policy, identity);
        }
        var delta = ImageDeltas.Compute(baseline, current);
        return new DeltaReport(ImageReport.Version, DeltaReport.ImageKind, subject, new DeltaBaseline(
            true, identity?.Id, identity?.Commit, identity?.Branch, Subject(baseline), delta, null, RegressionJudge.Judge(delta, policy)));
    }

    /// <summary>A Dockerfile review against its baseline review: each finding new, unchanged, updated or absent.</summary>
    public static DeltaReport Compare(ReviewReport? baseline, ReviewReport current, RegressionPolicy policy, BaselineIdentity? identity = null) =>
        Compare(baseline is null ? null : ReviewedDockerfile.From(baseline), ReviewedDockerfile.From(current), policy, identity);

    /// <summary>Lint findings of a Dockerfile against the baseline's (what the CLI has without a whole review).</summary>
    public static DeltaReport Compare(ReviewedDockerfile? baseline, ReviewedDockerfile current, RegressionPolicy policy, BaselineIdentity? identity = null)
    {
        var subject = new DeltaSubject(current.Name, null, null);
        if (baseline is null)
        {
            return NoBaseline(DeltaReport.DockerfileKind, subject, policy, identity);
        }
        var delta = FindingDeltas.Compute(baseline, current);
        return new DeltaReport(ImageReport.Version, DeltaReport.DockerfileKind, subject, new DeltaBaseline(
            true, identity?.Id, identity?.Commit, identity?.Branch, new DeltaSubject(baseline.Name, null, null), null, delta,
            RegressionJudge.Judge(delta, policy)));
    }

    private static DeltaReport NoBaseline(string kind, DeltaSubject subject, RegressionPolicy policy, BaselineIdentity? identity) =>
        new(ImageReport.Version, kind, subject, new DeltaBaseline(
            false, identity?.Id, identity?.Commit, identity?.Branch, null, null, null, RegressionJudge.NoBaseline(policy, identity)));

    private static DeltaSubject Subject(ImageReport report) => new(report.Image.Reference, report.Image.Digest, report.Image.Platform);
}
