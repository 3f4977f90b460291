using System.Text.Json.Serialization;
using LayerLens.Analyzer.Rebuild;

namespace LayerLens.Web.Rebuilds;

/// <summary>
/// What the user asked for: <c>{"compression": "gzip"|"zstd", "squash": bool, "layers": N, "dropJunk": bool, "linkDuplicates": bool}</c>.
/// <c>--base</c> is CLI-only: the service would have to open a second image with its own credentials and network checks.
/// </summary>
public sealed record RebuildOptions
{
    public string Compression { get; init; } = "gzip";
    public bool Squash { get; init; }
    public int? Layers { get; init; }

    /// <summary>Also remove the junk the analysis found from the rewritten layers (the report lists every path).</summary>
    public bool DropJunk { get; init; }

    /// <summary>Turn identical files with identical metadata into hard links (the report lists every path).</summary>
    public bool LinkDuplicates { get; init; }

    /// <summary>The options' own refusal, naming the field; null when they are valid.</summary>
    public string? Invalid() =>
        Compression is not ("gzip" or "zstd") ? $"'compression' must be gzip or zstd, not '{Compression}'"
        : Layers is < 1 or > 1000 ? $"'layers' must be between 1 and 1000, not {Layers}"
        : Squash && Layers is not null ? "'squash' writes one layer; leave 'layers' out"
        : null;
}

/// <summary>The rebuild's state file (results/{id}/rebuild/state.json): status, progress and, once it succeeded, the report.</summary>
public sealed record RebuildState
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public required string Status { get; init; }
    public required string Phase { get; init; }
    public required RebuildOptions Options { get; init; }
    public DateTime RequestedAtUtc { get; init; }
    public DateTime? StartedAtUtc { get; init; }
    public DateTime? FinishedAtUtc { get; init; }

    /// <summary>Refreshed by the running job; a claim whose heartbeat stopped (its process died) may be taken over.</summary>
    public DateTime HeartbeatAtUtc { get; init; }

    public string? Error { get; init; }
    public RebuildReport? Report { get; init; }

    /// <summary>Size of the OCI archive the download streams.</summary>
    public long? ArchiveBytes { get; init; }

    [JsonIgnore]
    public bool Active => Status is Queued or Running;
}

/// <summary>The engine's <see cref="RebuildResult"/> without the server path it wrote to.</summary>
public sealed record RebuildReport(
    string ManifestDigest,
    IReadOnlyList<KeptLayer> KeptLayers,
    IReadOnlyList<string> KeptReasons,
    int LayersBefore,
    int LayersAfter,
    long BytesBefore,
    long BytesAfter,
    long CompressedBytesBefore,
    long CompressedBytesAfter,
    long DeadBytesBefore,
    long DeadBytesAfter,
    long FinalBytes,
    int FileCount,
    long PullBytesWithKeptLayers,
    int PathsProved)
{
    /// <summary>Every path that differs from the source on purpose (dropJunk, linkDuplicates).</summary>
    public IReadOnlyList<ChangedPath> ChangedPaths { get; init; } = [];

    public long JunkBytesDropped { get; init; }
    public long DuplicateBytesSaved { get; init; }
    public IReadOnlyList<JunkInKeptLayer> JunkInKeptLayers { get; init; } = [];
    public long DeadBytesInKeptLayers { get; init; }

    public static RebuildReport From(RebuildResult r) => new(
        r.ManifestDigest, r.KeptLayers, r.KeptReasons, r.LayersBefore, r.LayersAfter, r.BytesBefore, r.BytesAfter,
        r.CompressedBytesBefore, r.CompressedBytesAfter, r.DeadBytesBefore, r.DeadBytesAfter, r.FinalBytes, r.FileCount,
        r.PullBytesWithKeptLayers, r.PathsProved)
    {
        ChangedPaths = r.ChangedPaths,
        JunkBytesDropped = r.JunkBytesDropped,
        DuplicateBytesSaved = r.DuplicateBytesSaved,
        JunkInKeptLayers = r.JunkInKeptLayers,
        DeadBytesInKeptLayers = r.DeadBytesInKeptLayers,
    };
}
