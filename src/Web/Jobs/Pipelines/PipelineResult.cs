using LayerLens.Analyzer.Reports.Verdicts;

namespace LayerLens.Web.Jobs.Pipelines;

/// <summary>
/// What a pipeline hands the job to publish: the verdict and the result row (an ImageResult or ReviewResult for the
/// analysis' id), written in the finishing transaction only when this run wins; its reports are in the output directory.
/// </summary>
public sealed record PipelineResult(Verdict Verdict, Func<Guid, object> Row)
{
    /// <summary>The comparison with the baseline when the analysis asked for one (its regression rules are in <see cref="Verdict"/>).</summary>
    public LayerLens.Web.Baselines.BaselineOutcome? Baseline { get; init; }

    /// <summary>The analysed image's manifest digest when there is one: the stored results refer to it.</summary>
    public string? SubjectDigest { get; init; }
}
