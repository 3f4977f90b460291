using LayerLens.Web.Configuration;

namespace LayerLens.Web.Storage;

/// <summary>Where things live under the data directory: blobs/, results/{id}/, work/{id}-{run}/.</summary>
public sealed class DataLayout(ResolvedSettings settings)
{
    public const string JsonReport = "report.json.gz";
    public const string TreeFile = "tree.bin";

    public string ResultsRoot { get; } = Path.Combine(settings.DataDirectory, "results");

    public string WorkRoot { get; } = Path.Combine(settings.DataDirectory, "work");

    public string ResultDirectory(Guid analysisId) => Path.Combine(ResultsRoot, analysisId.ToString("N"));

    public string ReportFile(Guid analysisId, string format) => Path.Combine(ResultDirectory(analysisId), ReportFileName(format));

    public string TreeFileOf(Guid analysisId) => Path.Combine(ResultDirectory(analysisId), TreeFile);

    public string WorkDirectory(Guid analysisId, Guid runId) => Path.Combine(WorkRoot, $"{analysisId:N}-{runId:N}");

    public static string ReportFileName(string format) => format switch
    {
        "json" => JsonReport,
        "sarif" => "report.sarif.gz",
        "markdown" => "report.md.gz",
        "junit" => "report.junit.xml.gz",
        _ => throw new ArgumentException($"unknown report format '{format}'", nameof(format)),
    };
}
