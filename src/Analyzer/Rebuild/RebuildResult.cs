namespace LayerLens.Analyzer.Rebuild;

/// <summary>A kept source layer: its digest and why it was kept.</summary>
public sealed record KeptLayer(int Index, string Digest);

/// <summary>What a rebuild wrote and what the proof measured on it.</summary>
public sealed record RebuildResult
{
    public required string Destination { get; init; }
    public required string ManifestDigest { get; init; }
    public required IReadOnlyList<KeptLayer> KeptLayers { get; init; }
    public required IReadOnlyList<string> KeptReasons { get; init; }
    public required int LayersBefore { get; init; }
    public required int LayersAfter { get; init; }
    public required long BytesBefore { get; init; }
    public required long BytesAfter { get; init; }
    public required long CompressedBytesBefore { get; init; }
    public required long CompressedBytesAfter { get; init; }
    public required long DeadBytesBefore { get; init; }
    public required long DeadBytesAfter { get; init; }
    public required long FinalBytes { get; init; }
    public required int FileCount { get; init; }

    /// <summary>Compressed bytes of the rewritten layers, the config and the manifest: what a host holding the kept layers pulls.</summary>
    public required long PullBytesWithKeptLayers { get; init; }

    /// <summary>Paths compared by the proof (all equal, or the rebuild would have failed).</summary>
    public required int PathsProved { get; init; }

    /// <summary>Every path that differs from the source on purpose (<c>--drop-junk</c>, <c>--link-duplicates</c>), sorted; empty without them.</summary>
    public IReadOnlyList<ChangedPath> ChangedPaths { get; init; } = [];

    /// <summary>File bytes <c>--drop-junk</c> removed from the rewritten layers.</summary>
    public long JunkBytesDropped { get; init; }

    /// <summary>Content bytes <c>--link-duplicates</c> no longer ships (one copy per merged inode).</summary>
    public long DuplicateBytesSaved { get; init; }

    /// <summary>Junk files a kept layer holds: a kept layer stays byte-identical, so they stay (reported, not removed).</summary>
    public IReadOnlyList<JunkInKeptLayer> JunkInKeptLayers { get; init; } = [];

    /// <summary>Dead bytes the kept layers ship (0 unless <c>--base</c> keeps a base whose files later layers hide).</summary>
    public long DeadBytesInKeptLayers { get; init; }

    /// <summary>What a push to a <c>docker://</c> destination sent; null for file destinations.</summary>
    public RegistryPushSummary? Push { get; init; }
}
