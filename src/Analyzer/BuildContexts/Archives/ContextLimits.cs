namespace LayerLens.Analyzer.BuildContexts.Archives;

/// <summary>Bounds on an uploaded build context, so a hostile archive cannot exhaust disk, inodes or time.</summary>
public sealed record ContextLimits
{
    /// <summary>Files, directories and links in the archive.</summary>
    public int MaxEntries { get; init; } = 50_000;

    /// <summary>Bytes of all files once unpacked.</summary>
    public long MaxExpandedBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Past <see cref="BombFloorBytes"/> unpacked, more than this many bytes per archive byte is a compression bomb.</summary>
    public int MaxExpansionRatio { get; init; } = 200;

    public long BombFloorBytes { get; init; } = 16L * 1024 * 1024;

    public int MaxPathLength { get; init; } = 4096;

    public int MaxDepth { get; init; } = 64;
}

/// <summary>An archive entry the service refuses; the message names the entry.</summary>
public sealed class ContextArchiveException(string message) : Exception(message);
