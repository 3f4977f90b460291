using LayerLens.Analyzer.Blobs;
using System.Diagnostics;
using Hangfire;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Data;
using LayerLens.Data.Blobs;
using LayerLens.Data.Durability;
using LayerLens.Data.Model;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Configuration;
using LayerLens.Web.Jobs.Pipelines;
using LayerLens.Web.Metrics;
using LayerLens.Web.Storage;
using LayerLens.Web.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Jobs;

/// <summary>
/// One analysis, run by Hangfire. A run first claims the row (Queued → Running with its own run id)
/// in one conditional update — unless its workspace already runs its share of analyses, then the job
/// comes back a little later and the worker takes other workspaces' work. A run writes its results
/// under its own run id; the single conditional update that finishes the row (WHERE RunId = this run)
/// decides whose results are visible and records the webhooks in the same transaction, so a job
/// delivered twice (crash recovery, a heartbeat gap) never shows two results or sends two webhooks.
/// </summary>
public sealed class AnalysisJob(
    SystemDbContextFactory dbFactory,
    BlobStore blobs,
    DataLayout layout,
    IArtifactStore store,
    JobCancellations cancellations,
    ResolvedSettings settings,
    ImagePipeline images,
    ReviewPipeline reviews,
    WebhookDispatcher webhooks,
    AnalysisNotifier notifier,
    IBackgroundJobClient jobs,
    LayerLensMetrics metrics,
    ILogger<AnalysisJob> logger)
{
    public const string Queue = "analyses";

    /// <summary>How long a job of a workspace at its running cap waits before it asks again.</summary>
    public static readonly TimeSpan CapRetryDelay = TimeSpan.FromSeconds(2);

    private enum Claim
    {
        None,
        Deferred,
        Claimed,
    }

    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(Guid analysisId, CancellationToken shutdown)
    {
        // Every line logged while this job runs — here, in the engine, EF Core, HttpClient — carries the analysis id.
        using var logScope = logger.BeginScope("Analysis {AnalysisId}", analysisId);
        var runId = Guid.NewGuid();
        switch (await ClaimAsync(analysisId, runId, shutdown))
        {
            case Claim.None:
                if (logger.IsEnabled(LogLevel.Information))
                {
                    logger.LogInformation("Analysis {Id} is not queued any more; this delivery does nothing", analysisId);
                }
                return;
            case Claim.Deferred:
                jobs.Schedule<AnalysisJob>(Queue, job => job.RunAsync(analysisId, CancellationToken.None), CapRetryDelay);
                return;
        }
        notifier.Publish(analysisId);
        Analysis analysis;
        await using (var db = await dbFactory.CreateDbContextAsync(shutdown))
        {
            analysis = await db.Analyses.AsNoTracking().Include(a => a.Project).SingleAsync(a => a.Id == analysisId, shutdown);
        }

        var work = layout.WorkDirectory(analysisId, runId);
        Directory.CreateDirectory(work);
        using var cancel = cancellations.Register(analysisId, shutdown);
        // The deadline cancels like a user's cancel does; the catch below tells the two apart.
        using var deadline = new CancellationTokenSource(settings.JobDeadline);
        using var onDeadline = deadline.Token.Register(() => cancel.Cancel());
        var progress = new ProgressRecorder(dbFactory, notifier, analysisId, runId, cancel);
        progress.Start();
        var clock = Stopwatch.StartNew();
        var finished = false;
        var outcome = "succeeded";
        string? failureCause = null;
        metrics.Running.Inc();
        try
        {
            var output = Path.Combine(work, "result");
            // WaitAsync: a read stalled where cancellation is not observed (a registry that stops sending) cannot
            // hold the worker past the deadline, nor a stopping worker (SIGTERM) past Hangfire's shutdown timeout
            // before it hands the analysis back; the abandoned read ends with its connection or its process.
            using var stopOrDeadline = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, shutdown);
            // Only what this job reads, fetched (and verified) from the store onto this node; gone when the job ends.
            using var inputs = await JobInputs.StageAsync(store, analysis, cancel.Token);
            var result = await (analysis.Kind == AnalysisKind.Dockerfile
                ? reviews.RunAsync(analysis, work, output, progress.Phase, cancel.Token)
                : images.RunAsync(analysis, output, progress, progress.Phase, cancel.Token)).WaitAsync(stopOrDeadline.Token);
            progress.Phase("storing results");
            await progress.DisposeAsync();
            var baselineId = result.Baseline?.BaselineId;
            bool? regressed = result.Baseline is { } compared ? compared.Regressed : null;
            finished = await PublishAndFinishAsync(new RunKey(analysis.WorkspaceId, analysisId, runId), result.SubjectDigest, output, a => a
                .SetProperty(x => x.Status, AnalysisStatus.Succeeded)
                .SetProperty(x => x.BaselineId, baselineId)
                .SetProperty(x => x.VerdictRegressed, regressed)
                .SetProperty(x => x.DurationMilliseconds, clock.ElapsedMilliseconds)
                .SetProperty(x => x.VerdictPassed, result.Verdict.Passed)
                .SetProperty(x => x.VerdictFailures, FailureNames(result.Verdict))
                .SetProperty(x => x.ProgressPhase, "done"), result.Row(analysisId));
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            // The server is stopping (SIGTERM): hand the analysis back and queue a new job for it, which another
            // worker sharing the job storage takes at once (or this one after its restart). A clean stop is not a
            // lost process, so it does not count against LayerLens:Jobs:MaxAttempts. This job then ends normally.
            outcome = "requeued";
            await progress.DisposeAsync();
            finished = await FinishAsync(analysisId, runId, a => a
                .SetProperty(x => x.Status, AnalysisStatus.Queued)
                .SetProperty(x => x.Attempts, x => x.Attempts - 1)
                .SetProperty(x => x.ProgressPhase, "queued (handed back: its worker stopped)"), sendWebhooks: false);
            if (finished)
            {
                AnalysisQueue.Enqueue(jobs, analysisId);
                if (logger.IsEnabled(LogLevel.Information))
                {
                    logger.LogInformation("Analysis {Id} handed back to the queue: this worker is stopping", analysisId);
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            (outcome, failureCause) = ("failed", LayerLensMetrics.CauseOf(null));
            await progress.DisposeAsync();
            finished = await FinishAsync(analysisId, runId, a => a
                .SetProperty(x => x.Status, AnalysisStatus.Failed)
                .SetProperty(x => x.Error, DeadlineMessage(settings.JobDeadline))
                .SetProperty(x => x.ProgressPhase, "failed")
                .SetProperty(x => x.DurationMilliseconds, clock.ElapsedMilliseconds));
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            outcome = "cancelled";
            await progress.DisposeAsync();
            finished = await FinishAsync(analysisId, runId, a => a
                .SetProperty(x => x.Status, AnalysisStatus.Cancelled)
                .SetProperty(x => x.ProgressPhase, "cancelled")
                .SetProperty(x => x.DurationMilliseconds, clock.ElapsedMilliseconds));
        }
        catch (Exception ex)
        {
            (outcome, failureCause) = ("failed", LayerLensMetrics.CauseOf(ex));
            await progress.DisposeAsync();
            var message = FailureMessages.ForMembers(ex, analysis, blobs, settings.DataDirectory);
            if (logger.IsEnabled(LogLevel.Warning))
            {
                logger.LogWarning(ex, "Analysis {Id} failed: {Message}", analysisId, message);
            }
            finished = await FinishAsync(analysisId, runId, a => a
                .SetProperty(x => x.Status, AnalysisStatus.Failed)
                .SetProperty(x => x.Error, message)
                .SetProperty(x => x.ProgressPhase, "failed")
                .SetProperty(x => x.DurationMilliseconds, clock.ElapsedMilliseconds));
        }
        finally
        {
            cancellations.Unregister(analysisId);
            TryDelete(work);
            RecordMetrics(analysis.Kind, outcome, failureCause, clock.Elapsed, progress.BytesRead);
        }
        if (!finished && logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Run {Run} of analysis {Id} lost its claim (another run or a cancel finished it); its results were dropped", runId, analysisId);
        }
    }

    private void RecordMetrics(AnalysisKind kind, string outcome, string? failureCause, TimeSpan duration, long bytesRead)
    {
        metrics.Running.Dec();
        metrics.Duration.WithLabels(kind == AnalysisKind.Dockerfile ? "dockerfile" : "image", outcome).Observe(duration.TotalSeconds);
        metrics.BytesRead.Inc(bytesRead);
        if (failureCause is not null)
        {
            metrics.Failures.WithLabels(failureCause).Inc();
        }
    }

    /// <summary>The message of an analysis stopped by <c>LayerLens:Jobs:DeadlineMinutes</c>.</summary>
    public static string DeadlineMessage(TimeSpan deadline) =>
        $"stopped: exceeded the job deadline of {deadline.TotalMinutes.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)} minutes (LayerLens:Jobs:DeadlineMinutes)";

    /// <summary>
    /// Queued → Running for this run, in a transaction that first locks the workspace row (PostgreSQL; SQLite
    /// writers are serial anyway), so two workers cannot both see the workspace under its running cap.
    /// </summary>
    private async Task<Claim> ClaimAsync(Guid analysisId, Guid runId, CancellationToken shutdown)
    {
        await using var db = await dbFactory.CreateDbContextAsync(shutdown);
        var workspaceId = await db.Analyses.Where(a => a.Id == analysisId && a.Status == AnalysisStatus.Queued && !a.CancelRequested)
            .Select(a => (Guid?)a.WorkspaceId).SingleOrDefaultAsync(shutdown);
        if (workspaceId is not { } workspace)
        {
            return Claim.None;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(shutdown);
        await db.Workspaces.Where(w => w.Id == workspace).ExecuteUpdateAsync(s => s.SetProperty(w => w.Name, w => w.Name), shutdown);
        var running = await db.Analyses.CountAsync(a => a.WorkspaceId == workspace && a.Status == AnalysisStatus.Running, shutdown);
        var cap = settings.MaxRunningAnalysesPerWorkspace;
        if (running >= cap)
        {
            var waiting = await db.Analyses.Where(a => a.Id == analysisId && a.Status == AnalysisStatus.Queued && !a.CancelRequested)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.ProgressPhase,
                    $"queued (this workspace already runs {running} analyses, its limit LayerLens:Quotas:MaxRunningAnalysesPerWorkspace)"), shutdown);
            await transaction.CommitAsync(shutdown);
            if (waiting > 0)
            {
                notifier.Publish(analysisId);
            }
            return waiting > 0 ? Claim.Deferred : Claim.None;
        }
        var claimed = await db.Analyses
            .Where(a => a.Id == analysisId && a.Status == AnalysisStatus.Queued && !a.CancelRequested)
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.Status, AnalysisStatus.Running)
                .SetProperty(a => a.RunId, runId)
                .SetProperty(a => a.StartedAtUtc, DateTime.UtcNow)
                .SetProperty(a => a.Attempts, a => a.Attempts + 1)
                .SetProperty(a => a.HeartbeatAtUtc, DateTime.UtcNow)
                .SetProperty(a => a.ProgressPhase, "starting"), shutdown);
        await transaction.CommitAsync(shutdown);
        return claimed > 0 ? Claim.Claimed : Claim.None;
    }

    private static string? FailureNames(Verdict verdict) =>
        verdict.Passed ? null : string.Join(' ', verdict.Failures.Select(f => f.Rule).Distinct());

    /// <summary>
    /// Stores this run's results under its own run (invisible until the row names the run), then finishes the row.
    /// The run whose update hit the row removes other runs' leftovers; a run that lost removes its own.
    /// </summary>
    private async Task<bool> PublishAndFinishAsync(
        RunKey run,
        string? subjectDigest,
        string output,
        Func<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Analysis>, Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Analysis>> set,
        object result)
    {
        await store.PublishRunAsync(run, output, subjectDigest, CancellationToken.None);
        CrashTestHold.At(CrashTestHold.AfterResultsMoved);
        var won = await FinishAsync(run.AnalysisId, run.RunId, set, result);
        try
        {
            // The winner clears what earlier, crashed runs left; a loser clears only its own.
            await (won ? store.DropRunsAsync(run.WorkspaceId, run.AnalysisId, run.RunId, CancellationToken.None) : store.DropRunAsync(run, CancellationToken.None));
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            logger.LogWarning(ex, "Could not remove earlier results of analysis {Id}", run.AnalysisId);
        }
        return won;
    }

    /// <summary>
    /// The one conditional update that ends this run (WHERE RunId = this run AND Running). Only when it hit the row
    /// are the result row (an <see cref="ImageResult"/> or <see cref="ReviewResult"/>) and the webhooks recorded, in the
    /// same transaction, and the webhooks queued after the commit. True when it hit.
    /// </summary>
    private async Task<bool> FinishAsync(
        Guid analysisId,
        Guid runId,
        Func<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Analysis>, Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Analysis>> set,
        object? result = null,
        bool sendWebhooks = true)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var hit = await db.Analyses.Where(a => a.Id == analysisId && a.RunId == runId && a.Status == AnalysisStatus.Running)
            .ExecuteUpdateAsync(s => set(s.SetProperty(x => x.FinishedAtUtc, DateTime.UtcNow))) > 0;
        if (hit && result is not null)
        {
            db.Add(result);
            await db.SaveChangesAsync(); // before the webhooks, whose payload carries the result
        }
        IReadOnlyList<Guid> deliveries = [];
        if (hit && sendWebhooks)
        {
            deliveries = await webhooks.RecordAsync(db, analysisId);
            await db.SaveChangesAsync();
        }
        await transaction.CommitAsync();
        if (deliveries.Count > 0)
        {
            CrashTestHold.At(CrashTestHold.AfterFinishCommitted);
        }
        webhooks.Enqueue(deliveries);
        notifier.Publish(analysisId);
        return hit;
    }

    private void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException ex)
        {
            logger.LogWarning(ex, "Could not remove the work directory {Directory}", directory);
        }
    }
}
