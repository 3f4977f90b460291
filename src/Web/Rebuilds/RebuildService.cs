using Hangfire;
using LayerLens.Analyzer.Images.Registry;
using LayerLens.Data;
using LayerLens.Data.Model;
using LayerLens.Web.Configuration;
using LayerLens.Web.Jobs;
using LayerLens.Web.Limits;
using LayerLens.Web.Security;
using LayerLens.Web.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Rebuilds;

/// <summary>Why a rebuild cannot start: the API maps each to its status.</summary>
public sealed class RebuildStartRefusedException(int status, string title, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
}

/// <summary>
/// Starts, reads and cancels the rebuild of an analysis of the current workspace (the API and the page share it).
/// Every read goes through the workspace-scoped database: another workspace's analysis is not found.
/// </summary>
public sealed class RebuildService(
    IDbContextFactory<AppDbContext> dbFactory,
    IBackgroundJobClient jobs,
    RebuildStore store,
    JobCancellations cancellations,
    WorkspaceAccess access,
    WorkspaceQuotas quotas,
    ResolvedSettings settings,
    NetworkTargetGuard guard,
    RebuildPushCredentials pushCredentials)
{
    /// <summary>The analysis if this workspace has it, else null.</summary>
    public async Task<Analysis?> FindAsync(Guid analysisId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Analyses.AsNoTracking().Include(a => a.Image).SingleOrDefaultAsync(a => a.Id == analysisId, ct);
    }

    public RebuildState? State(Analysis analysis) => store.Read(analysis.Id);

    public string ArchivePath(Analysis analysis) => store.ArchivePath(analysis.Id);

    /// <summary>
    /// Queues the rebuild: the analysis must be a succeeded image analysis, without a rebuild running, within the
    /// storage quota; a registry destination must pass the network guard (checked again at every connection).
    /// <paramref name="credentials"/> for the destination stay in this process' memory until the job takes them.
    /// </summary>
    public async Task<RebuildState> StartAsync(Analysis analysis, RebuildOptions options, CancellationToken ct, RegistryCredentials? credentials = null)
    {
        await access.RequireAsync(ApiScopes.AnalysesWrite, ct);
        if (options.Invalid() is { } invalid)
        {
            throw new RebuildStartRefusedException(StatusCodes.Status400BadRequest, "Invalid rebuild options", invalid);
        }
        if (options.RegistryDestination()?.Registry is { } target)
        {
            try
            {
                await guard.CheckHostAsync(target.Host, ct);
            }
            catch (TargetRefusedException ex)
            {
                throw new RebuildStartRefusedException(StatusCodes.Status400BadRequest, "Destination refused", $"registry {ex.Message}");
            }
        }
        else if (credentials is not null)
        {
            throw new RebuildStartRefusedException(StatusCodes.Status400BadRequest, "Invalid rebuild options", "'username' and 'password' are for a registry 'destination'; none was given");
        }
        if (analysis.Kind != AnalysisKind.Image || analysis.Status != AnalysisStatus.Succeeded)
        {
            throw new RebuildStartRefusedException(StatusCodes.Status409Conflict, "Cannot be rebuilt",
                $"analysis {analysis.Id} is {(analysis.Kind == AnalysisKind.Image ? analysis.Status.ToString().ToLowerInvariant() : "a Dockerfile review")}; only a succeeded image analysis can be rebuilt");
        }
        // The rebuilt archive is at most about the image's compressed size (kept layers as they are, the rest without dead bytes).
        var need = analysis.Image?.CompressedSizeBytes ?? 0;
        var remaining = await quotas.StorageRemainingAsync(ct);
        if (remaining < need)
        {
            throw new RebuildStartRefusedException(StatusCodes.Status413PayloadTooLarge, "Storage quota used up",
                $"the rebuild may write up to {need:N0} bytes and this workspace has {remaining:N0} bytes left of its storage quota (LayerLens:Quotas:MaxStorageBytesPerWorkspace or the workspace's own); delete analyses to free space");
        }
        if (!store.TryClaim(analysis.Id, settings.HeartbeatStaleAfter))
        {
            throw new RebuildStartRefusedException(StatusCodes.Status409Conflict, "Rebuild already running",
                $"analysis {analysis.Id} already has a rebuild queued or running; wait for it or cancel it (DELETE /api/v1/analyses/{analysis.Id}/rebuild)");
        }
        try
        {
            store.ClearOutput(analysis.Id);
            var now = DateTime.UtcNow;
            var state = new RebuildState
            {
                Status = RebuildState.Queued,
                Phase = "queued",
                Options = options,
                RequestedAtUtc = now,
                HeartbeatAtUtc = now,
                PushAuthenticated = credentials is not null,
            };
            store.Write(analysis.Id, state);
            pushCredentials.Hand(analysis.Id, credentials);
            jobs.Enqueue<RebuildJob>(AnalysisJob.Queue, job => job.RunAsync(analysis.Id, CancellationToken.None));
            return state;
        }
        catch
        {
            pushCredentials.Hand(analysis.Id, null);
            store.Release(analysis.Id);
            throw;
        }
    }

    /// <summary>Asks the running rebuild to stop (here at once, in another process at its next heartbeat); false when none runs.</summary>
    public async Task<bool> CancelAsync(Analysis analysis, CancellationToken ct)
    {
        await access.RequireAsync(ApiScopes.AnalysesWrite, ct);
        if (store.Read(analysis.Id) is not { Active: true })
        {
            return false;
        }
        store.RequestCancel(analysis.Id);
        cancellations.Cancel(analysis.Id);
        return true;
    }
}
