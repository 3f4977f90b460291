using System.Text.Json.Serialization;
using LayerLens.Analyzer.Rebuild;

namespace LayerLens.Web.Rebuilds;

/// <summary>
/// What the user asked for: <c>{"compression": "gzip"|"zstd", "squash": bool, "layers": N, "dropJunk": bool,
/// "linkDuplicates": bool, "destination": "registry/repo:tag", "force": bool}</c>. Credentials for the destination
/// travel beside these, never in them (this record is the state file's). <c>--base</c> is CLI-only: the service would
/// have to open a second image with its own credentials and network checks.
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

    /// <summary>A registry reference (<c>host/repo:tag</c>, <c>docker://</c> optional) to push to; null for the downloadable archive.</summary>
    public string? Destination { get; init; }

    /// <summary>Replace the destination tag if the registry has it.</summary>
    public bool Force { get; init; }

    /// <summary>The destination parsed: null without one (or when invalid: see <see cref="Invalid"/>).</summary>
    public RebuildDestination? RegistryDestination()
    {
        if (string.IsNullOrWhiteSpace(Destination))
        {
            return null;
        }
        var text = Destination.Trim();
        return RebuildDestination.Parse(text.StartsWith("docker://", StringComparison.Ordinal) ? text : "docker://" + text);
    }

    /// <summary>The options' own refusal, naming the field; null when they are valid.</summary>
    public string? Invalid()
    {
        if (Compression is not ("gzip" or "zstd"))
        {
            return $"'compression' must be gzip or zstd, not '{Compression}'";
        }
        if (Layers is < 1 or > 1000)
        {
            return $"'layers' must be between 1 and 1000, not {Layers}";
        }
        if (Squash && Layers is not null)
        {
            return "'squash' writes one layer; leave 'layers' out";
        }
        if (Destination is { Length: > 2048 })
        {
            return "'destination' is longer than 2,048 characters";
        }
        try
        {
            RegistryDestination();
            return null;
        }
        catch (ArgumentException ex)
        {
            return $"'destination' must be a registry reference host/repository:tag ({ex.Message.Replace("--output ", "", StringComparison.Ordinal)})";
        }
    }
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

    /// <summary>Size of the OCI archive the download streams (none when the image was pushed).</summary>
    public long? ArchiveBytes { get; init; }

    /// <summary>Whether the request gave destination credentials (held in memory only; the job must find them).</summary>
    public bool PushAuthenticated { get; init; }

    /// <summary>Where the image was pushed, its digest, and the bytes sent and skipped; null for a download.</summary>
    public RegistryPushSummary? Push { get; init; }

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
