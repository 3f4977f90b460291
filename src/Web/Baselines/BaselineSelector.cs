using LayerLens.Data;
using LayerLens.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Baselines;

/// <summary>
/// The baseline chosen for an analysis, or why there is none (said in the verdict and the compare answer).
/// <see cref="Candidates"/>: the baseline first, then (branch selection only) the next older ones, newest first, so a
/// baseline whose stored report is gone gives way to the one before it.
/// </summary>
public sealed record BaselineChoice(Analysis? Baseline, string? Branch, string Reason)
{
    public bool Found => Baseline is not null;

    public IReadOnlyList<Analysis> Candidates { get; init; } = Baseline is null ? [] : [Baseline];
}

/// <summary>
/// Chooses what an analysis is compared with: the explicit baseline id it names, else the latest succeeded analysis
/// of the same project, kind and platform on the target branch (the one asked for, else the project's default),
/// created before it and not itself. The query always names the analysis' own workspace, so the job's system
/// context and a page's workspace-scoped context choose alike, and no other workspace's analysis is ever chosen.
/// </summary>
public static class BaselineSelector
{
    /// <summary>How many analyses of the branch are tried, newest first, when reports are missing: a bounded fallback.</summary>
    public const int MaxCandidates = 5;

    /// <param name="platform">The platform the analysed image turned out to have (null for a Dockerfile review).</param>
    /// <param name="branchOrId">Overrides the analysis' own request: an analysis id or a branch name (compare endpoint).</param>
    public static async Task<BaselineChoice> SelectAsync(AppDbContext db, Analysis analysis, string? platform, CancellationToken cancellationToken, string? branchOrId = null)
    {
        Guid? explicitId = analysis.RequestedBaselineId;
        string? branch = analysis.BaselineBranch;
        if (branchOrId is not null)
        {
            explicitId = Guid.TryParse(branchOrId, out var id) ? id : null;
            branch = explicitId is null ? branchOrId : null;
        }
        var mine = db.Analyses.AsNoTracking().Include(a => a.Project)
            .Where(a => a.WorkspaceId == analysis.WorkspaceId && a.Id != analysis.Id && a.Kind == analysis.Kind);
        if (explicitId is { } baselineId)
        {
            var named = await mine.SingleOrDefaultAsync(a => a.Id == baselineId, cancellationToken);
            return named switch
            {
                null => new BaselineChoice(null, null, $"baseline {baselineId} is not an analysis of this workspace of the same kind"),
                { Status: not AnalysisStatus.Succeeded } => new BaselineChoice(null, named.Branch, $"baseline {baselineId} has not succeeded (it is {named.Status.ToString().ToLowerInvariant()})"),
                _ => new BaselineChoice(named, named.Branch, $"baseline {baselineId} was asked for"),
            };
        }
        if (analysis.ProjectId is not { } projectId)
        {
            return new BaselineChoice(null, branch, "the analysis belongs to no project, so no earlier analysis on a branch can be its baseline");
        }
        branch ??= await db.Projects.AsNoTracking().Where(p => p.Id == projectId && p.WorkspaceId == analysis.WorkspaceId)
            .Select(p => p.DefaultBranch).SingleOrDefaultAsync(cancellationToken) ?? Project.DefaultBranchName;
        var candidates = mine.Where(a => a.ProjectId == projectId && a.Branch == branch && a.Status == AnalysisStatus.Succeeded && a.CreatedAtUtc < analysis.CreatedAtUtc);
        if (analysis.Kind == AnalysisKind.Image)
        {
            candidates = candidates.Where(a => a.Image != null && a.Image.Platform == platform);
        }
        var latest = await candidates.OrderByDescending(a => a.CreatedAtUtc).Take(MaxCandidates).ToListAsync(cancellationToken);
        var what = analysis.Kind == AnalysisKind.Image ? $"image analysis ({platform ?? "unknown platform"})" : "Dockerfile review";
        return latest.Count == 0
            ? new BaselineChoice(null, branch, $"no baseline: no succeeded {what} of this project on branch '{branch}' before this one")
            : new BaselineChoice(latest[0], branch, $"the latest succeeded {what} on branch '{branch}'") { Candidates = latest };
    }
}
