namespace LayerLens.Analyzer.Optimisation.Dependencies;

/// <summary>
/// A recognised dependency install (npm ci, pip install -r, go mod download...): which manifests it reads
/// (paths relative to its working directory; "**/" prefixes mean "anywhere below") and where it writes.
/// </summary>
public sealed record InstallCommand(string Manager, IReadOnlyList<string> Manifests, IReadOnlyList<string> RelativeWrites, IReadOnlyList<string> AbsoluteWrites)
{
    /// <summary>Whether the manifest list can be turned into concrete COPY sources.</summary>
    public bool HasSubtreeManifests => Manifests.Any(m => m.StartsWith("**/", StringComparison.Ordinal));
}
