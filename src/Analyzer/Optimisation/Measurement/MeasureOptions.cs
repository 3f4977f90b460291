namespace LayerLens.Analyzer.Optimisation.Measurement;

/// <summary>Bounds of a measurement: runs, per-build timeout, store size quota, where experiments live.</summary>
public sealed record MeasureOptions
{
    public int Runs { get; init; } = 3;

    public TimeSpan BuildTimeout { get; init; } = TimeSpan.FromMinutes(15);

    public long DiskQuotaBytes { get; init; } = 20L * 1024 * 1024 * 1024;

    /// <summary>
    /// The build sandbox every build, push and base import runs in; null builds unsandboxed as the calling user,
    /// which only the CLI may do (the user's own code on the user's own machine).
    /// </summary>
    public Sandbox.BuildSandbox? Sandbox { get; init; }

    /// <summary>All of one measurement (seeding, every build and push); null for no limit beyond each build's.</summary>
    public TimeSpan? JobTimeout { get; init; }

    /// <summary>Which scenarios to rebuild (source-edit, manifest-edit, no-change); null for all. The first builds and the equivalence check always run.</summary>
    public IReadOnlySet<string>? Scenarios { get; init; }

    public bool Measures(string scenario) => Scenarios is null || Scenarios.Contains(scenario);

    /// <summary>
    /// A buildah store root holding base images and their layer cache. Each experiment starts from its own copy,
    /// so base steps hit the cache while experiments still never share a store.
    /// </summary>
    public string? SeedStore { get; init; }

    /// <summary>
    /// Base images by the name a FROM line uses, as local skopeo sources (oci:DIR, docker-archive:PATH,
    /// oci-archive:PATH, containers-storage:...). Bases not listed are looked up in <see cref="BaseStore"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string>? BaseImages { get; init; }

    /// <summary>The containers store to find base images in, as <c>[DRIVER@]ROOT[+RUNROOT]</c>; null for the host's default store.</summary>
    public string? BaseStore { get; init; }

    /// <summary>Parent of the experiment directories (default: the system temp directory).</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>Reports progress lines (stderr in the CLI).</summary>
    public Action<string>? Progress { get; init; }
}
