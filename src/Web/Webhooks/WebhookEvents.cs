namespace LayerLens.Web.Webhooks;

public static class WebhookEvents
{
    public const string AnalysisSucceeded = "analysis.succeeded";
    public const string AnalysisFailed = "analysis.failed";
    public const string VerdictFailed = "verdict.failed";

    /// <summary>The verdict failed a regression rule against the analysis' baseline (at most once per analysis).</summary>
    public const string VerdictRegressed = "verdict.regressed";

    public static readonly string[] All = [AnalysisSucceeded, AnalysisFailed, VerdictFailed, VerdictRegressed];
}
