namespace LayerLens.Analyzer.Optimisation.Rewrites;

/// <summary>
/// One change or piece of advice. <see cref="Line"/> is the 1-based line in the original Dockerfile.
/// Kinds: move-copy, split-copy, merge-apt-update, merge-cleanup, copy-chown, copy-chmod (rewrites);
/// cache-mount, cleanup-copy, dockerignore, multi-stage, split-advice (advice, the Dockerfile is not changed).
/// </summary>
public sealed record OptimisationChange(string Kind, int Line, string Message, bool IsAdvice = false, string? Example = null);
