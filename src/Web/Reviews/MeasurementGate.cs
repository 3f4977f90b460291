using LayerLens.Data.Tenancy;
using LayerLens.Web.Analyses;
using LayerLens.Web.Limits;
using LayerLens.Web.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Reviews;

/// <summary>A measure request from a caller without <c>analyses:write</c>: the API answers 403.</summary>
public sealed class MeasurementForbiddenException(string message) : IntakeException(message);

/// <summary>
/// Who may measure, checked in the service (the API and the pages both pass here): measuring must be on and its
/// sandbox ready, the caller must hold <c>analyses:write</c>, and the workspace must have builds left in its budget
/// for the last 24 hours.
/// </summary>
public sealed class MeasurementGate(BuilderProbe builder, WorkspaceContext workspace, SystemDbContextFactory system)
{
    /// <summary>Builds one run of a measurement may need: two Dockerfiles, each built, rebuilt unchanged, after a source edit and after a manifest edit.</summary>
    public const int BuildsPerRun = 8;

    public async Task EnsureAllowedAsync(int runs, CancellationToken cancellationToken)
    {
        if (!builder.Available)
        {
            throw new IntakeException(builder.PublicReason + "; submit without 'measure'");
        }
        if (!workspace.Has(ApiScopes.AnalysesWrite))
        {
            throw new MeasurementForbiddenException($"measuring rebuilds runs builds on the server: it needs the '{ApiScopes.AnalysesWrite}' scope");
        }
        if (workspace.WorkspaceId is not { } id)
        {
            throw new MeasurementForbiddenException("measuring rebuilds needs a workspace");
        }
        var since = DateTime.UtcNow.AddDays(-1);
        await using var db = system.CreateDbContext();
        var used = BuildsPerRun * await db.Analyses
            .Where(a => a.WorkspaceId == id && a.MeasureRequested && a.CreatedAtUtc >= since)
            .SumAsync(a => a.MeasureRuns ?? 0, cancellationToken);
        var needed = BuildsPerRun * runs;
        var budget = builder.Settings.MaxBuildsPerDay;
        if (used + needed > budget)
        {
            throw new QuotaExceededException(
                $"this workspace has requested {used} of its {budget} measured builds in the last 24 hours; measuring {runs} run(s) needs up to {needed} more: try later, with fewer runs, or submit without 'measure'");
        }
    }
}
