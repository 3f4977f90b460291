namespace LayerLens.Web.Webhooks;

public static class WebhookEvents
{
    public const string AnalysisSucceeded = "analysis.succeeded";
    public const string AnalysisFailed = "analysis.failed";
    public const string VerdictFailed = "verdict.failed";

    public static readonly string[] All = [AnalysisSucceeded, AnalysisFailed, VerdictFailed];
}
