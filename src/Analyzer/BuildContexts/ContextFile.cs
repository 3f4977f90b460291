namespace LayerLens.Analyzer.BuildContexts;

/// <summary>A file of the build context that survives .dockerignore (path relative, '/'-separated).</summary>
public sealed record ContextFile(string Path, long Size, UnixFileMode Mode, bool IsSymlink);
