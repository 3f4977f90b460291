using LayerLens.Analyzer.Optimisation.Measurement.Sandbox;

namespace LayerLens.Web.Reviews;

/// <summary>
/// <c>LayerLens:Measurement:*</c>: whether the service measures rebuilds at all (off unless Enabled=true), the build
/// sandbox's user and limits, and each workspace's daily build budget.
/// </summary>
public sealed record MeasurementSettings
{
    public const string Section = "LayerLens:Measurement";

    public bool Enabled { get; init; }

    /// <summary>The unprivileged user rootless buildah runs as (infra/setup-build-sandbox.sh creates it).</summary>
    public string BuildUser { get; init; } = BuildSandbox.DefaultUser;

    public long MemoryBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    public int Pids { get; init; } = 1024;

    public double CpuCores { get; init; } = 1.0;

    public long DiskBytes { get; init; } = 10L * 1024 * 1024 * 1024;

    public int BuildTimeoutSeconds { get; init; } = 900;

    public int JobTimeoutSeconds { get; init; } = 3600;

    /// <summary>Builds one workspace may request in 24 hours; a measurement with R runs counts as up to 8·R (two Dockerfiles, four builds each).</summary>
    public int MaxBuildsPerDay { get; init; } = 200;

    public static MeasurementSettings From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<MeasurementSettings>() ?? new MeasurementSettings();

    public SandboxLimits Limits => new()
    {
        MemoryBytes = Math.Max(64L * 1024 * 1024, MemoryBytes),
        Pids = Math.Max(64, Pids),
        CpuCores = Math.Max(0.1, CpuCores),
        DiskBytes = Math.Max(64L * 1024 * 1024, DiskBytes),
    };

    public TimeSpan BuildTimeout => TimeSpan.FromSeconds(Math.Max(1, BuildTimeoutSeconds));

    public TimeSpan JobTimeout => TimeSpan.FromSeconds(Math.Max(1, JobTimeoutSeconds));
}
