namespace LayerLens.Analyzer.Dockerfiles.Linting.Reports;

/// <summary>The result of linting one or more files: findings per file, files that could not be read, and the verdict.</summary>
public sealed class LintReport
{
    public List<string> Files { get; } = [];

    public List<Finding> Findings { get; } = [];

    /// <summary>Files that failed to parse, with the message (reported as error findings too).</summary>
    public List<(string File, int Line, string Message)> Errors { get; } = [];

    public Severity? FailureThreshold { get; set; }

    public bool Passed => Errors.Count == 0 && !(FailureThreshold is { } t && Findings.Any(f => f.Severity >= t));

    public IEnumerable<Finding> Failures => FailureThreshold is { } t ? Findings.Where(f => f.Severity >= t) : [];
}
