using LayerLens.Analyzer.Reports.Deltas;
using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Analyzer.UseCases.Baselines;
using LayerLens.Data;
using LayerLens.Data.Model;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Storage;
using LayerLens.Web.Webhooks;

namespace LayerLens.Web.Baselines;

/// <summary>An analysis compared with its baseline: the engine's delta report and the baseline it used (null: none).</summary>
public sealed record BaselineOutcome(DeltaReport Delta, Guid? BaselineId, DeltaReportOptions Options)
{
    public bool Regressed => RegressionPolicies.Regressed(Delta);

    public DeltaReportSet Reports => new(Delta, Options);
}

/// <summary>
/// Compares an analysis with its baseline from the two stored schema v1 reports (never re-reading an image) with the
/// engine's <see cref="BaselineComparison"/>: the job when a run finishes, the compare endpoint and page on demand.
/// </summary>
public sealed class BaselineComparer(SystemDbContextFactory system, IArtifactStore layout, PublicLinks links)
{
    /// <summary>Analyses that name a branch or a baseline are compared; others (no CI context) keep their plain verdict.</summary>
    public static bool Wanted(Analysis analysis) =>
        analysis.Branch is not null || analysis.BaselineBranch is not null || analysis.RequestedBaselineId is not null;

    /// <summary>The job's comparison of a just-analysed image (its report not yet stored), in the analysis' own workspace.</summary>
    public async Task<BaselineOutcome> CompareImageAsync(Analysis analysis, ImageReport current, CancellationToken cancellationToken)
    {
        await using var db = system.ForWorkspace(analysis.WorkspaceId);
        var choice = await BaselineSelector.SelectAsync(db, analysis, current.Image.Platform, cancellationToken);
        return Outcome(analysis, await CompareImageAsync(layout, analysis, current, choice, cancellationToken));
    }

    /// <summary>The job's comparison of a just-finished Dockerfile review.</summary>
    public async Task<BaselineOutcome> CompareReviewAsync(Analysis analysis, ReviewReport current, CancellationToken cancellationToken)
    {
        await using var db = system.ForWorkspace(analysis.WorkspaceId);
        var choice = await BaselineSelector.SelectAsync(db, analysis, null, cancellationToken);
        return Outcome(analysis, await CompareReviewAsync(layout, analysis, current, choice, cancellationToken));
    }

    /// <summary>The compare endpoint's: <see cref="CompareStoredAsync(AppDbContext, IArtifactStore, Analysis, string?, CancellationToken)"/> with the Compare page link.</summary>
    public async Task<BaselineOutcome?> CompareStoredAsync(AppDbContext db, Analysis analysis, string? branchOrId, CancellationToken cancellationToken) =>
        await CompareStoredAsync(db, layout, analysis, branchOrId, cancellationToken) is { } compared ? Outcome(analysis, compared) : null;

    /// <summary>
    /// A stored analysis against a baseline: <paramref name="branchOrId"/> when given (an analysis id or a branch),
    /// else the one its run recorded, else the one its request names. Null when the analysis has no stored report.
    /// The Compare page calls this directly; <paramref name="db"/> decides which workspace's analyses are seen.
    /// </summary>
    public static async Task<(DeltaReport Delta, Guid? BaselineId)?> CompareStoredAsync(
        AppDbContext db, IArtifactStore layout, Analysis analysis, string? branchOrId, CancellationToken cancellationToken)
    {
        var recorded = branchOrId is null && analysis.BaselineId is { } id ? id.ToString() : branchOrId;
        if (analysis.Kind == AnalysisKind.Dockerfile)
        {
            var review = await LoadAsync(layout, analysis, ReportJson.LoadReviewAsync, cancellationToken);
            return review is null ? null
                : await CompareReviewAsync(layout, analysis, review, await BaselineSelector.SelectAsync(db, analysis, null, cancellationToken, recorded), cancellationToken);
        }
        var image = await LoadAsync(layout, analysis, ReportJson.LoadImageAsync, cancellationToken);
        return image is null ? null
            : await CompareImageAsync(layout, analysis, image, await BaselineSelector.SelectAsync(db, analysis, image.Image.Platform, cancellationToken, recorded), cancellationToken);
    }

    private static async Task<(DeltaReport, Guid?)> CompareImageAsync(IArtifactStore layout, Analysis analysis, ImageReport current, BaselineChoice choice, CancellationToken cancellationToken)
    {
        var (stored, used) = await FirstStoredAsync(layout, choice, ReportJson.LoadImageAsync, cancellationToken);
        return (BaselineComparison.Compare(stored, current, Policy(analysis), Identity(analysis, choice, used)), used?.Id);
    }

    private static async Task<(DeltaReport, Guid?)> CompareReviewAsync(IArtifactStore layout, Analysis analysis, ReviewReport current, BaselineChoice choice, CancellationToken cancellationToken)
    {
        var (stored, used) = await FirstStoredAsync(layout, choice, ReportJson.LoadReviewAsync, cancellationToken);
        return (BaselineComparison.Compare(stored, current, Policy(analysis), Identity(analysis, choice, used)), used?.Id);
    }

    /// <summary>
    /// The report of the first candidate that still has one (a report can be removed by retention or by hand while its
    /// analysis row stays): the chosen baseline, else the next older of its branch, up to <see cref="BaselineSelector.MaxCandidates"/>.
    /// </summary>
    private static async Task<(T? Report, Analysis? Used)> FirstStoredAsync<T>(
        IArtifactStore layout, BaselineChoice choice, Func<string, CancellationToken, Task<T?>> load, CancellationToken cancellationToken) where T : class
    {
        foreach (var candidate in choice.Candidates)
        {
            if (await LoadAsync(layout, candidate, load, cancellationToken) is { } report)
            {
                return (report, candidate);
            }
        }
        return (null, null);
    }

    /// <summary>The JSON report of the run the row names, through the store of its workspace; null when none is stored.</summary>
    private static async Task<T?> LoadAsync<T>(IArtifactStore store, Analysis analysis, Func<string, CancellationToken, Task<T?>> load, CancellationToken cancellationToken) where T : class =>
        await store.ResultFileAsync(analysis.WorkspaceId, analysis.Id, analysis.RunId, DataLayout.JsonReport, cancellationToken) is { } file
            ? await load(file, cancellationToken)
            : null;

    private BaselineOutcome Outcome(Analysis analysis, (DeltaReport Delta, Guid? BaselineId) compared) =>
        new(compared.Delta, compared.BaselineId, new DeltaReportOptions(compared.BaselineId is { } b ? links.Absolute($"/compare?a={b}&b={analysis.Id}") : null));

    private static Analyzer.Reports.Verdicts.RegressionPolicy Policy(Analysis analysis) =>
        RegressionPolicies.For(analysis.Project?.RegressionPolicy, analysis.Project?.Policy, analysis.CiConfig);

    /// <summary>The baseline used, or (none found) what was looked for, so the verdict says which baseline is missing.</summary>
    private static BaselineIdentity Identity(Analysis analysis, BaselineChoice choice, Analysis? used) => used is not null
        ? new BaselineIdentity(used.Id.ToString(), used.Commit, used.Branch)
        : new BaselineIdentity(choice.Branch is null ? analysis.RequestedBaselineId?.ToString() : null, null, choice.Branch);
}
