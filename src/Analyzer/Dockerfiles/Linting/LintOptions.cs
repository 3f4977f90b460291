namespace LayerLens.Analyzer.Dockerfiles.Linting;

/// <summary>Lint configuration (from .hadolint.yaml / layerlens.yaml or the command line).</summary>
public sealed class LintOptions
{
    /// <summary>Rule ids to ignore: LayerLens ids, hadolint ids or BuildKit check names.</summary>
    public HashSet<string> Ignored { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Severity overrides by any rule id.</summary>
    public Dictionary<string, Severity> Overrides { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Findings at or above this severity fail the run; null means never fail ("none").</summary>
    public Severity? FailureThreshold { get; set; } = Severity.Info;

    /// <summary>Registries images may come from (DL3026); empty means any.</summary>
    public List<string> TrustedRegistries { get; } = [];

    /// <summary>Patterns from the build context's .dockerignore, for CopyIgnoredFile.</summary>
    public IReadOnlyList<string>? DockerIgnore { get; set; }

    /// <summary>
    /// Whether findings get their <see cref="Finding.Fingerprint"/>. Only SARIF and baselines read it, and it costs
    /// about a sixth of linting a finding-heavy file, so a caller that writes neither turns it off.
    /// </summary>
    public bool Fingerprints { get; set; } = true;

    /// <summary>A copy for one file with that file's .dockerignore (the shared options stay untouched).</summary>
    public LintOptions ForFile(IReadOnlyList<string>? dockerIgnore)
    {
        var copy = new LintOptions { FailureThreshold = FailureThreshold, DockerIgnore = dockerIgnore ?? DockerIgnore, Fingerprints = Fingerprints };
        copy.Ignored.UnionWith(Ignored);
        foreach (var (k, v) in Overrides)
        {
            copy.Overrides[k] = v;
        }
        copy.TrustedRegistries.AddRange(TrustedRegistries);
        return copy;
    }
}
