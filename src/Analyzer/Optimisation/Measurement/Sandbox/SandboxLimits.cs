namespace LayerLens.Analyzer.Optimisation.Measurement.Sandbox;

/// <summary>Hard limits of one sandboxed build: memory, pids, CPU and disk (wall time: <see cref="MeasureOptions.BuildTimeout"/>).</summary>
public sealed record SandboxLimits
{
    /// <summary>Memory (and memory+swap where the kernel accounts swap) of the build's cgroup; tmpfs pages count too.</summary>
    public long MemoryBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Processes and threads in the build's cgroup; reaching it stops the build (a fork bomb).</summary>
    public int Pids { get; init; } = 1024;

    /// <summary>CPU bandwidth (CFS quota) in cores.</summary>
    public double CpuCores { get; init; } = 1.0;

    /// <summary>Size of the build's store file system (image layers, containers, temp files): a full disk fails the build.</summary>
    public long DiskBytes { get; init; } = 10L * 1024 * 1024 * 1024;

    /// <summary>Size of each tmpfs the build sees (/tmp, /var/tmp, /dev/shm); charged to the memory limit as well.</summary>
    public long TmpBytes { get; init; } = 64L * 1024 * 1024;

    public static string Bytes(long bytes) => bytes % (1024L * 1024 * 1024) == 0 ? $"{bytes / (1024L * 1024 * 1024)} GiB"
        : bytes % (1024L * 1024) == 0 ? $"{bytes / (1024L * 1024)} MiB"
        : $"{bytes} bytes";
}
