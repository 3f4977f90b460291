namespace LayerLens.Analyzer.Blobs;

/// <summary>One layer blob of a resolved image and how to open it.</summary>
public sealed class LayerBlob
{
    public required int Index { get; init; }

    /// <summary>sha256 of the blob as shipped; null for classic docker-archive layers (only the diff id is known).</summary>
    public required string? Digest { get; init; }

    /// <summary>sha256 of the uncompressed tar from the config's rootfs.diff_ids, when present.</summary>
    public required string? DiffId { get; init; }

    public required string? MediaType { get; init; }

    /// <summary>Size of the blob as shipped, or -1 when unknown.</summary>
    public required long CompressedSize { get; init; }

    /// <summary>Opens the raw (possibly compressed) blob; each call gives an independent stream.</summary>
    public required Func<CancellationToken, Task<Stream>> Open { get; init; }

    /// <summary>Registry layers: the <c>host/name</c> the blob is pulled from; null for a local source.</summary>
    public string? Origin { get; init; }

    /// <summary>
    /// Registry layers: asks the registry, without downloading, whether these credentials may read the blob today
    /// (throws when not). A layer cache uses it to serve a known layer only to a caller the registry still grants.
    /// </summary>
    public Func<CancellationToken, Task>? EnsureAccess { get; init; }

    public string Describe() => Digest is null ? $"layer {Index}" : $"layer {Index} (blob {Digest})";
}
