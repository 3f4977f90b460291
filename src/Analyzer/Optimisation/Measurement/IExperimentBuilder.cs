namespace LayerLens.Analyzer.Optimisation.Measurement;

/// <summary>One experiment's builder: its own store, builds with the layer cache, an OCI export, and clean-up.</summary>
public interface IExperimentBuilder
{
    Task<BuildOutcome> BuildAsync(string dockerfile, string contextDirectory, string tag, CancellationToken cancellationToken);

    /// <summary>Writes the image as an OCI layout directory (tag "image").</summary>
    Task PushOciAsync(string imageId, string directory, CancellationToken cancellationToken);

    Task CleanAsync();

    /// <summary>Why the store passed the quota, or null.</summary>
    string? OverQuota(long quotaBytes);
}
