using System.Collections.Concurrent;
using LayerLens.Data.Blobs;
using LayerLens.Data.Model;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Configuration;
using LayerLens.Web.Storage;
using LayerLens.Web.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Limits;

/// <summary>
/// Per-workspace quotas: the largest upload, how many analyses may be queued or running at once, and how many
/// bytes the workspace keeps on this server (its uploads, Dockerfiles, contexts and build logs, the layers its
/// registry pulls keep, and its results). A blob shared with another workspace counts for each.
/// </summary>
public sealed class WorkspaceQuotas(SystemDbContextFactory system, WorkspaceContext workspace, ResolvedSettings settings, IArtifactStore store)
{
    public async Task<long> UploadLimitAsync(CancellationToken cancellationToken)
    {
        if (workspace.WorkspaceId is not { } id)
        {
            return settings.MaxUploadBytes;
        }
        await using var db = system.CreateDbContext();
        var own = await db.Workspaces.Where(w => w.Id == id).Select(w => w.MaxUploadBytes).SingleOrDefaultAsync(cancellationToken);
        return Math.Min(own ?? settings.MaxUploadBytes, settings.MaxUploadBytes);
    }

    private static readonly ConcurrentDictionary<Guid, SemaphoreSlim> StartGates = new();

    /// <summary>
    /// Checks the quotas (<see cref="EnsureCanStartAsync"/>) holding the workspace's start gate until the returned slot
    /// is disposed; the caller saves its queued row first. Without the gate a burst of concurrent starts all counted
    /// the same rows before any was saved and all passed the cap. The gate is per process: the supported deployment
    /// runs one web process per database.
    /// </summary>
    public async Task<IDisposable> ReserveStartAsync(CancellationToken cancellationToken)
    {
        if (workspace.WorkspaceId is not { } id)
        {
            return NoSlot.Instance;
        }
        var gate = StartGates.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            await EnsureCanStartAsync(cancellationToken);
            return new Slot(gate);
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    private sealed class Slot(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }

    private sealed class NoSlot : IDisposable
    {
        public static readonly NoSlot Instance = new();

        public void Dispose()
        {
        }
    }

    /// <summary>Throws when the workspace already has its quota of queued and running analyses.</summary>
    public async Task EnsureCanStartAsync(CancellationToken cancellationToken)
    {
        if (workspace.WorkspaceId is not { } id)
        {
            return;
        }
        await using var db = system.CreateDbContext();
        var own = await db.Workspaces.Where(w => w.Id == id).Select(w => w.MaxActiveAnalyses).SingleOrDefaultAsync(cancellationToken);
        var limit = own ?? settings.MaxActiveAnalysesPerWorkspace;
        var active = await db.Analyses.CountAsync(a => a.WorkspaceId == id && (a.Status == AnalysisStatus.Queued || a.Status == AnalysisStatus.Running), cancellationToken);
        if (active >= limit)
        {
            throw new QuotaExceededException($"this workspace already has {active} analyses queued or running (its quota is {limit}); try again when one finishes");
        }
        await StorageRemainingAsync(cancellationToken);
    }

    /// <summary>Bytes the workspace may still store; throws <see cref="StorageQuotaExceededException"/> when none remain.</summary>
    public async Task<long> StorageRemainingAsync(CancellationToken cancellationToken)
    {
        if (workspace.WorkspaceId is not { } id)
        {
            return long.MaxValue;
        }
        await using var db = system.CreateDbContext();
        var own = await db.Workspaces.Where(w => w.Id == id).Select(w => w.MaxStorageBytes).SingleOrDefaultAsync(cancellationToken);
        var limit = Math.Min(own ?? settings.MaxStorageBytesPerWorkspace, settings.MaxStorageBytesPerWorkspace);
        var used = await StorageUsedAsync(db, id, cancellationToken);
        if (used >= limit)
        {
            throw new StorageQuotaExceededException(used, limit);
        }
        return limit - used;
    }

    /// <summary>What the workspace keeps now, read from the disk (blob and result sizes), not from counters that a crash could skew.</summary>
    private async Task<long> StorageUsedAsync(Data.AppDbContext db, Guid workspaceId, CancellationToken cancellationToken)
    {
        var rows = await db.Analyses.Where(a => a.WorkspaceId == workspaceId)
            .Select(a => new { a.Id, a.RunId, a.InputDigest, a.DockerfileTextDigest, a.BuildContextDigest, a.BuildLogDigest, a.SourceKind, CompressedSizeBytes = a.Image != null ? a.Image.CompressedSizeBytes : (long?)null })
            .ToListAsync(cancellationToken);
        var digests = new HashSet<string>(StringComparer.Ordinal);
        long used = 0;
        foreach (var row in rows)
        {
            foreach (var digest in new[] { row.InputDigest, row.DockerfileTextDigest, row.BuildContextDigest, row.BuildLogDigest })
            {
                if (digest is not null && digests.Add(digest) && await store.BlobLengthAsync(workspaceId, digest, cancellationToken) is { } length)
                {
                    used += length;
                }
            }
            if (row.SourceKind == SourceKind.Registry)
            {
                used += row.CompressedSizeBytes ?? 0; // the pulled layers kept for re-analysis
            }
            used += await store.ResultBytesAsync(workspaceId, row.Id, row.RunId, cancellationToken);
        }
        return used;
    }
}

/// <summary>A workspace quota is used up; the API answers 429 with Retry-After.</summary>
public class QuotaExceededException(string message) : Exception(message);

/// <summary>
/// The workspace's storage is used up. The API answers 413, not 429: waiting does not free storage (only deleting
/// analyses, or retention, does), and the request is refused for the bytes it would add.
/// </summary>
public sealed class StorageQuotaExceededException(long used, long limit)
    : QuotaExceededException($"this workspace stores {used:N0} bytes, at or over its storage quota of {limit:N0} bytes (LayerLens:Quotas:MaxStorageBytesPerWorkspace or the workspace's own); delete analyses to free space")
{
    public long Used { get; } = used;

    public long Limit { get; } = limit;
}
