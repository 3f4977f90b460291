using LayerLens.Analyzer.Blobs;
using System.Diagnostics;
using System.IO.Compression;
using Hangfire;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Images.Registry;
using LayerLens.Analyzer.Reports;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Data;
using LayerLens.Data.Tenancy;
using LayerLens.Data.Blobs;
using LayerLens.Data.Durability;
using LayerLens.Data.Model;
using LayerLens.Analyzer.Dockerfiles.Parsing;
using LayerLens.Web.Analyses;
using LayerLens.Web.BuildContexts;
using LayerLens.Web.Configuration;
using LayerLens.Web.Reviews;
using LayerLens.Web.Security;
using LayerLens.Web.Storage;
using LayerLens.Web.Trees;
using LayerLens.Web.Verdicts;
using LayerLens.Web.Webhooks;
using Microsoft.AspNetCore.DataProtection;
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
    JobCancellations cancellations,
    ResolvedSettings settings,
    IDataProtectionProvider protection,
    ContextLimits contextLimits,
    BuilderProbe builder,
    NetworkTargetGuard guard,
    WebhookDispatcher webhooks,
    PublicLinks links,
    AnalysisNotifier notifier,
    IBackgroundJobClient jobs,
    ILogger<AnalysisJob> logger)
{
    public const string Queue = "analyses";
    public const string CredentialsPurpose = "LayerLens.RegistryCredentials";

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
        try
        {
            if (analysis.Kind == AnalysisKind.Dockerfile)
            {
                // WaitAsync: a read stalled where cancellation is not observed (a registry that stops sending) cannot
                // hold the worker past the deadline; the abandoned read ends with its connection.
                var (review, reviewVerdict) = await ReviewDockerfileAsync(analysis, work, progress, cancel.Token).WaitAsync(deadline.Token);
                progress.Phase("storing results");
                await progress.DisposeAsync();
                finished = await PublishAndFinishAsync(analysisId, runId, Path.Combine(work, "result"), a => ReviewColumns(a, review, clock.ElapsedMilliseconds)
                    .SetProperty(x => x.VerdictPassed, reviewVerdict.Passed)
                    .SetProperty(x => x.VerdictFailures, FailureNames(reviewVerdict)));
            }
            else
            {
                var (summary, verdict) = await AnalyzeImageAsync(analysis, work, progress, cancel.Token).WaitAsync(deadline.Token);
                progress.Phase("storing results");
                await progress.DisposeAsync();
                finished = await PublishAndFinishAsync(analysisId, runId, Path.Combine(work, "result"), a => a
                    .SetProperty(x => x.Status, AnalysisStatus.Succeeded)
                    .SetProperty(x => x.ImageDigest, summary.Digest)
                    .SetProperty(x => x.Platform, summary.Platform)
                    .SetProperty(x => x.CompressedSizeBytes, summary.CompressedSizeBytes)
                    .SetProperty(x => x.SizeBytes, summary.SizeBytes)
                    .SetProperty(x => x.FinalBytes, summary.FinalBytes)
                    .SetProperty(x => x.WastedBytes, summary.WastedBytes)
                    .SetProperty(x => x.DuplicateBytes, summary.DuplicateBytes)
                    .SetProperty(x => x.Efficiency, summary.Efficiency)
                    .SetProperty(x => x.LayerCount, summary.Layers.Count)
                    .SetProperty(x => x.FileCount, summary.FileCount)
                    .SetProperty(x => x.WasteItemCount, summary.Waste.Count)
                    .SetProperty(x => x.FindingCount, 0)
                    .SetProperty(x => x.ErrorFindingCount, 0)
                    .SetProperty(x => x.WarningFindingCount, 0)
                    .SetProperty(x => x.DurationMilliseconds, clock.ElapsedMilliseconds)
                    .SetProperty(x => x.VerdictPassed, verdict.Passed)
                    .SetProperty(x => x.VerdictFailures, FailureNames(verdict))
                    .SetProperty(x => x.ProgressPhase, "done"));
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            // The server is stopping: hand the analysis back to the queue for the next start. A clean stop is
            // not a lost process, so it does not count against LayerLens:Jobs:MaxAttempts.
            await progress.DisposeAsync();
            await FinishAsync(analysisId, runId, a => a
                .SetProperty(x => x.Status, AnalysisStatus.Queued)
                .SetProperty(x => x.Attempts, x => x.Attempts - 1)
                .SetProperty(x => x.ProgressPhase, "queued"), sendWebhooks: false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            await progress.DisposeAsync();
            finished = await FinishAsync(analysisId, runId, a => a
                .SetProperty(x => x.Status, AnalysisStatus.Failed)
                .SetProperty(x => x.Error, DeadlineMessage(settings.JobDeadline))
                .SetProperty(x => x.ProgressPhase, "failed")
                .SetProperty(x => x.DurationMilliseconds, clock.ElapsedMilliseconds));
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await progress.DisposeAsync();
            finished = await FinishAsync(analysisId, runId, a => a
                .SetProperty(x => x.Status, AnalysisStatus.Cancelled)
                .SetProperty(x => x.ProgressPhase, "cancelled")
                .SetProperty(x => x.DurationMilliseconds, clock.ElapsedMilliseconds));
        }
        catch (Exception ex)
        {
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
        }
        if (!finished && logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Run {Run} of analysis {Id} lost its claim (another run or a cancel finished it); its results were dropped", runId, analysisId);
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

    private async Task<(ImageAnalysis Summary, Verdict Verdict)> AnalyzeImageAsync(Analysis analysis, string work, ProgressRecorder progress, CancellationToken ct)
    {
        progress.Phase("opening image");
        var options = new ImageOpenOptions
        {
            Platform = analysis.Platform is { Length: > 0 } p && analysis.SourceKind == SourceKind.Registry ? Platform.Parse(p) : null,
            Registry = new RegistryOptions
            {
                Credentials = Credentials(analysis),
                Insecure = settings.AllowPrivateNetworkTargets,
                PlainHttpHosts = settings.InsecureRegistries,
                CreateHandler = () => guard.CreateHandler(TimeSpan.FromSeconds(60)),
                // A retry or re-analysis of the same image reads its layers from the blob store: only layers this
                // workspace itself downloaded from the same repository.
                BlobCache = new PulledBlobCache(blobs, new KeptLayerGrants(settings.DataDirectory), analysis.WorkspaceId),
            },
        };
        var source = analysis.SourceKind switch
        {
            // The archive read as the kind the user named (else detected), the image chosen inside it as analyze takes it.
            SourceKind.Upload => UploadedImage.Source(blobs, analysis.InputDigest ?? throw new InvalidOperationException("the upload's blob is missing"), analysis.ArchiveKind, analysis.ArchiveImage),
            SourceKind.Registry => ImageSourceSpec.Parse("docker://" + analysis.SourceReference),
            _ => throw new InvalidOperationException($"analysis {analysis.Id} of kind {analysis.SourceKind} has no image"),
        };
        if (analysis.SourceKind == SourceKind.Upload && !File.Exists(source.Location))
        {
            throw new InvalidImageException("the uploaded image is no longer stored (removed by the retention setting); upload it again");
        }
        if (analysis.SourceKind == SourceKind.Upload && !blobs.Verify(analysis.InputDigest!))
        {
            // A file torn by a crash (before writes were flushed) is never read as the upload.
            throw new InvalidImageException("the uploaded image's stored bytes no longer match its digest (damaged on the server's disk); upload it again");
        }

        ImageAnalysis result;
        using (var image = await ImageOpener.OpenAsync(source, options, ct))
        {
            progress.Phase("reading layers");
            result = await ImageAnalyzer.AnalyzeAsync(image, options.Limits, progress, ct);
        }
        progress.Phase("writing results");
        var named = WithReference(result, analysis.SourceKind == SourceKind.Upload ? analysis.DisplayName : result.Reference);
        var verdict = ServicePolicy.Rules(analysis.Project?.Policy, analysis.CiConfig)?.Evaluate(named) ?? Verdict.None;

        var output = Path.Combine(work, "result");
        Directory.CreateDirectory(output);
        foreach (var format in new[] { "json", "sarif", "markdown", "junit" })
        {
            await using var file = File.Create(Path.Combine(output, DataLayout.ReportFileName(format)));
            await using var gzip = new GZipStream(file, CompressionLevel.Optimal);
            // SARIF points at the Dockerfile the CI named: at the causing instruction's line when its text came along, else line 1.
            var writer = format == "sarif" && analysis.DockerfilePath is { } dockerfile
                ? new SarifReportWriter(new SarifDockerfile(dockerfile, await DockerfileTextAsync(analysis, ct)))
                : ReportFormats.For(format);
            writer.Write(named, verdict, gzip);
            WriteLinkBack(format, analysis.Id, gzip);
        }
        ct.ThrowIfCancellationRequested();
        TreeFileWriter.Write(result.Tree, result.Waste, Path.Combine(output, DataLayout.TreeFile));
        return (named, verdict);
    }

    private async Task<(ReviewOutcome Review, Verdict Verdict)> ReviewDockerfileAsync(Analysis analysis, string work, ProgressRecorder progress, CancellationToken ct)
    {
        progress.Phase("reading the Dockerfile");
        // SARIF and JUnit locations name the Dockerfile's path in the caller's repository when CI gave one.
        var input = new ReviewInput(
            analysis.DockerfilePath ?? analysis.SourceReference,
            StoredBlob(analysis.InputDigest, "Dockerfile"),
            analysis.ContextDigest is { } context ? StoredBlob(context, "build context") : null,
            analysis.BuildLogDigest is { } log ? StoredBlob(log, "build log") : null,
            analysis.MeasureRequested,
            analysis.MeasureRuns ?? 3)
        {
            ChangeHistoryPath = analysis.ChangeHistoryDigest is { } changes ? StoredBlob(changes, "change history") : null,
        };
        var review = await DockerfileReviewer.ReviewAsync(input, work, contextLimits, builder, progress.Phase, ct);
        var policy = ServicePolicy.Rules(analysis.Project?.Policy, analysis.CiConfig)?.EvaluateLint(review.Lint.Findings.Select(f => f.Severity)) ?? Verdict.None;
        progress.Phase("writing results");
        var output = Path.Combine(work, "result");
        Directory.CreateDirectory(output);
        foreach (var format in new[] { "json", "sarif", "markdown", "junit" })
        {
            await using var file = File.Create(Path.Combine(output, DataLayout.ReportFileName(format)));
            await using var gzip = new GZipStream(file, CompressionLevel.Optimal);
            ReviewReportWriter.Write(review, format, gzip, policy);
            WriteLinkBack(format, analysis.Id, gzip);
        }
        // A policy's maxLintSeverity replaces the lint's own failure threshold.
        var lint = review.Lint.Passed || policy.Rules.Any(r => r.Rule == "maxLintSeverity") ? Verdict.None
            : new Verdict([new RuleResult("failureThreshold", false, "", review.Lint.FailureThreshold?.ToName() ?? "", "lint findings at or above the failure threshold")]);
        return (review, ServicePolicy.Combine(lint, policy));
    }

    /// <summary>The Dockerfile text an image's CI sent (bounded at intake); gone with retention, SARIF falls back to line 1.</summary>
    private async Task<string?> DockerfileTextAsync(Analysis analysis, CancellationToken ct)
    {
        var path = analysis.ContextDigest is { } digest ? blobs.PathOf(digest) : null;
        return path is not null && File.Exists(path) ? await File.ReadAllTextAsync(path, ct) : null;
    }

    /// <summary>Markdown is for PR comments: it ends with a link back to the analysis page.</summary>
    private void WriteLinkBack(string format, Guid analysisId, Stream output)
    {
        if (format == "markdown")
        {
            output.Write(System.Text.Encoding.UTF8.GetBytes($"\n[Open this analysis in LayerLens]({links.Absolute($"/analyses/{analysisId}")})\n"));
        }
    }

    private static string? FailureNames(Verdict verdict) =>
        verdict.Passed ? null : string.Join(' ', verdict.Failures.Select(f => f.Rule).Distinct());

    private string StoredBlob(string? digest, string what)
    {
        var path = digest is null ? null : blobs.PathOf(digest);
        return path is not null && File.Exists(path)
            ? path
            : throw new InvalidDataException($"the uploaded {what} is no longer stored (removed by the retention setting); submit it again");
    }

    private static Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Analysis> ReviewColumns(
        Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Analysis> a, ReviewOutcome review, long milliseconds)
    {
        var findings = review.Lint.Findings;
        int Count(LayerLens.Analyzer.Dockerfiles.Linting.Severity s) => findings.Count(f => f.Severity == s);
        var sourceEdit = review.Measured?.Scenarios.FirstOrDefault(s => s.Name == "source-edit") ?? review.Measured?.Scenarios.FirstOrDefault();
        double? saving = sourceEdit is null ? null : Math.Round(sourceEdit.OriginalSeconds - sourceEdit.RecommendedSeconds, 3);
        bool? equivalent = review.Measured?.Equivalent;
        return a
            .SetProperty(x => x.Status, AnalysisStatus.Succeeded)
            .SetProperty(x => x.FindingCount, findings.Count)
            .SetProperty(x => x.ErrorFindingCount, Count(LayerLens.Analyzer.Dockerfiles.Linting.Severity.Error))
            .SetProperty(x => x.WarningFindingCount, Count(LayerLens.Analyzer.Dockerfiles.Linting.Severity.Warning))
            .SetProperty(x => x.InfoFindingCount, Count(LayerLens.Analyzer.Dockerfiles.Linting.Severity.Info))
            .SetProperty(x => x.StyleFindingCount, Count(LayerLens.Analyzer.Dockerfiles.Linting.Severity.Style))
            .SetProperty(x => x.ChangeCount, review.Optimisation.Changes.Count(c => !c.IsAdvice))
            .SetProperty(x => x.ExpectedOriginalSeconds, Math.Round(review.Optimisation.ExpectedOriginalSeconds, 3))
            .SetProperty(x => x.ExpectedRecommendedSeconds, Math.Round(review.Optimisation.ExpectedRecommendedSeconds, 3))
            .SetProperty(x => x.MeasuredSavingSeconds, saving)
            .SetProperty(x => x.MeasuredEquivalent, equivalent)
            .SetProperty(x => x.DurationMilliseconds, milliseconds)
            .SetProperty(x => x.ProgressPhase, "done");
    }

    private RegistryCredentials? Credentials(Analysis analysis)
    {
        if (analysis.ProtectedCredentials is null)
        {
            return null;
        }
        var plain = protection.CreateProtector(CredentialsPurpose).Unprotect(analysis.ProtectedCredentials);
        var colon = plain.IndexOf(':');
        return new RegistryCredentials(plain[..colon], plain[(colon + 1)..]);
    }

    /// <summary>The report names what the user handed in, not the blob's path on this server.</summary>
    private static ImageAnalysis WithReference(ImageAnalysis a, string reference) => new()
    {
        Reference = reference,
        Digest = a.Digest,
        Platform = a.Platform,
        CompressedSizeBytes = a.CompressedSizeBytes,
        SizeBytes = a.SizeBytes,
        FinalBytes = a.FinalBytes,
        FileCount = a.FileCount,
        WastedBytes = a.WastedBytes,
        Efficiency = a.Efficiency,
        DuplicateBytes = a.DuplicateBytes,
        Layers = a.Layers,
        Waste = a.Waste,
        Config = a.Config,
        Tree = a.Tree,
    };

    /// <summary>
    /// Moves this run's flushed results to results/{id}/{run} (invisible until the row names the run), then finishes
    /// the row. The run whose update hit the row removes other runs' leftovers; a run that lost removes its own.
    /// </summary>
    private async Task<bool> PublishAndFinishAsync(
        Guid analysisId,
        Guid runId,
        string output,
        Func<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Analysis>, Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Analysis>> set)
    {
        var target = layout.RunResultDirectory(analysisId, runId);
        Directory.CreateDirectory(layout.ResultDirectory(analysisId));
        // Every byte is on the disk before the row can point at it, and the rename is too.
        DurableFiles.SyncTree(output);
        Directory.Move(output, target);
        DurableFiles.SyncDirectory(layout.ResultDirectory(analysisId));
        var won = await FinishAsync(analysisId, runId, set);
        foreach (var directory in Directory.EnumerateFileSystemEntries(layout.ResultDirectory(analysisId)))
        {
            // The winner clears what earlier, crashed runs left; a loser clears only its own.
            if (won ? directory != target : directory == target)
            {
                TryDeleteEntry(directory);
            }
        }
        return won;
    }

    /// <summary>
    /// The one conditional update that ends this run (WHERE RunId = this run AND Running). Only when it hit the row
    /// are the webhooks recorded, in the same transaction, and queued after the commit. True when it hit.
    /// </summary>
    private async Task<bool> FinishAsync(
        Guid analysisId,
        Guid runId,
        Func<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Analysis>, Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Analysis>> set,
        bool sendWebhooks = true)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var hit = await db.Analyses.Where(a => a.Id == analysisId && a.RunId == runId && a.Status == AnalysisStatus.Running)
            .ExecuteUpdateAsync(s => set(s.SetProperty(x => x.FinishedAtUtc, DateTime.UtcNow))) > 0;
        IReadOnlyList<Guid> deliveries = [];
        if (hit && sendWebhooks)
        {
            deliveries = await webhooks.RecordAsync(db, analysisId);
            await db.SaveChangesAsync();
        }
        await transaction.CommitAsync();
        webhooks.Enqueue(deliveries);
        notifier.Publish(analysisId);
        return hit;
    }

    private void TryDeleteEntry(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path); // a report of the layout before runs had their own directory
            return;
        }
        TryDelete(path);
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
