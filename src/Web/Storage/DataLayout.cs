using LayerLens.Web.Configuration;

namespace LayerLens.Web.Storage;

/// <summary>
/// Where things live under the data directory: blobs/, results/{id}/{run}/, work/{id}-{run}/, layer-cache/. Each run
/// writes its results under its own run id; the analysis row's RunId (set by the one run whose finishing
/// update hit the row) says which run's results are the visible ones, so readers follow the row.
/// </summary>
public sealed class DataLayout(ResolvedSettings settings)
{
    public const string JsonReport = "report.json.gz";
    public const string TreeFile = "tree.bin";

    public string ResultsRoot { get; } = Path.Combine(settings.DataDirectory, "results");

    public string WorkRoot { get; } = Path.Combine(settings.DataDirectory, "work");

    /// <summary>
    /// The layer-result cache every worker sharing this data directory reads and fills (change sets keyed by layer
    /// digest, diff_id and engine format). Outside blobs/ so blob retention never sweeps it; it bounds itself.
    /// </summary>
    public string LayerCacheRoot { get; } = Path.Combine(settings.DataDirectory, "layer-cache");

    public string ResultDirectory(Guid analysisId) => Path.Combine(ResultsRoot, analysisId.ToString("N"));

    /// <summary>The results one run wrote (visible only while the row names that run).</summary>
    public string RunResultDirectory(Guid analysisId, Guid runId) => Path.Combine(ResultDirectory(analysisId), runId.ToString("N"));

    /// <summary>A report of the run the row names; results stored before runs had their own directory sit directly in results/{id}/.</summary>
    public string ReportFile(Guid analysisId, Guid? runId, string format) => Path.Combine(VisibleDirectory(analysisId, runId), ReportFileName(format));

    public string TreeFileOf(Guid analysisId, Guid? runId) => Path.Combine(VisibleDirectory(analysisId, runId), TreeFile);

    /// <summary>A result file of the run the row names (see <see cref="ReportFile"/>); the name is checked by <see cref="ResultFileNames"/>.</summary>
    public string ResultFile(Guid analysisId, Guid? runId, string fileName) =>
        Path.Combine(VisibleDirectory(analysisId, runId), ResultFileNames.Check(fileName));

    private string VisibleDirectory(Guid analysisId, Guid? runId) =>
        runId is { } run && Directory.Exists(RunResultDirectory(analysisId, run)) ? RunResultDirectory(analysisId, run) : ResultDirectory(analysisId);

    /// <summary>
    /// The analysis' rebuild: its state file and the rebuilt OCI archive. Inside results/{id}/ so the workspace's storage
    /// quota counts it and deleting the analysis removes it.
    /// </summary>
    public string RebuildDirectory(Guid analysisId) => Path.Combine(ResultDirectory(analysisId), "rebuild");

    public string WorkDirectory(Guid analysisId, Guid runId) => Path.Combine(WorkRoot, $"{analysisId:N}-{runId:N}");

    /// <summary>The report of the comparison with the baseline, stored beside the run's own reports (same formats).</summary>
    public string DeltaReportFile(Guid analysisId, Guid? runId, string format) => Path.Combine(VisibleDirectory(analysisId, runId), DeltaReportFileName(format));

    public static string DeltaReportFileName(string format) => "delta." + ReportFileName(format)["report.".Length..];

    public static string ReportFileName(string format) => format switch
    {
        "json" => JsonReport,
        "sarif" => "report.sarif.gz",
        "markdown" => "report.md.gz",
        "junit" => "report.junit.xml.gz",
        _ => throw new ArgumentException($"unknown report format '{format}'", nameof(format)),
    };
}
