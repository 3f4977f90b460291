namespace LayerLens.Analyzer.Optimisation.Measurement;

/// <summary>Bounds of a measurement: runs, per-build timeout, store size quota, where experiments live.</summary>
public sealed record MeasureOptions
{
    public int Runs { get; init; } = 3;

    public TimeSpan BuildTimeout { get; init; } = TimeSpan.FromMinutes(15);

    public long DiskQuotaBytes { get; init; } = 20L * 1024 * 1024 * 1024;

    /// <summary>Parent of the experiment directories (default: the system temp directory).</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>Reports progress lines (stderr in the CLI).</summary>
    public Action<string>? Progress { get; init; }
}
