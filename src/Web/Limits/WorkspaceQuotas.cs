using LayerLens.Data.Model;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Configuration;
using LayerLens.Web.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Limits;

/// <summary>Per-workspace quotas: the largest upload, and how many analyses may be queued or running at once.</summary>
public sealed class WorkspaceQuotas(SystemDbContextFactory system, WorkspaceContext workspace, ResolvedSettings settings)
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
    }
}

/// <summary>A workspace quota is used up; the API answers 429 with Retry-After.</summary>
public sealed class QuotaExceededException(string message) : Exception(message);
