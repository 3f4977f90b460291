using Hangfire;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images.Registry;
using LayerLens.Analyzer.Rebuild;
using LayerLens.Data.Model;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Configuration;
using LayerLens.Web.Jobs;
using LayerLens.Web.Jobs.Pipelines;
using LayerLens.Web.Storage;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Rebuilds;

/// <summary>
/// One rebuild, run by Hangfire on the analyses queue: the analysis' image opened as its analysis opened it (the stored
/// upload, or the registry reference with the stored credentials through the network guard), rebuilt by the engine
/// into results/{id}/rebuild/image.oci.tar. The engine writes under a temporary name and renames once the proof
/// passed, so a failed or cancelled run leaves no partial archive. The state file says how it went; the claim is
/// released at the end whatever happened.
/// </summary>
public sealed class RebuildJob(
    SystemDbContextFactory dbFactory,
    RebuildStore store,
    ImagePipeline images,
    LayerLens.Web.Storage.IArtifactStore artifacts,
    JobCancellations cancellations,
    ResolvedSettings settings,
    ILogger<RebuildJob> logger)
{
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);

    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(Guid analysisId, CancellationToken shutdown)
    {
        using var logScope = logger.BeginScope("Rebuild of analysis {AnalysisId}", analysisId);
        if (store.Read(analysisId) is not { Status: RebuildState.Queued } queued)
        {
            return; // delivered twice, or the analysis was deleted
        }
        Analysis? analysis;
        await using (var db = await dbFactory.CreateDbContextAsync(shutdown))
        {
            analysis = await db.Analyses.AsNoTracking().SingleOrDefaultAsync(a => a.Id == analysisId, shutdown);
        }
        using var cancel = cancellations.Register(analysisId, shutdown);
        using var deadline = new CancellationTokenSource(settings.JobDeadline);
        using var onDeadline = deadline.Token.Register(() => cancel.Cancel());
        var state = queued with { Status = RebuildState.Running, Phase = "starting", StartedAtUtc = DateTime.UtcNow, HeartbeatAtUtc = DateTime.UtcNow };
        var gate = new object();
        void Save(Func<RebuildState, RebuildState> change)
        {
            lock (gate)
            {
                state = change(state);
                try
                {
                    store.Write(analysisId, state);
                }
                catch (DirectoryNotFoundException)
                {
                    cancel.Cancel(); // the analysis was deleted with its results: nothing left to write to
                }
            }
        }
        // The heartbeat keeps the claim from looking abandoned and notices a cancel asked in another process.
        using var heartbeat = new Timer(_ =>
        {
            try
            {
                Save(s => s with { HeartbeatAtUtc = DateTime.UtcNow });
                if (store.CancelRequested(analysisId))
                {
                    cancel.Cancel();
                }
            }
            catch (IOException ex)
            {
                logger.LogWarning(ex, "Rebuild heartbeat of analysis {Id} not written", analysisId);
            }
        }, null, TimeSpan.Zero, HeartbeatInterval);
        try
        {
            if (analysis is null)
            {
                throw new InvalidImageException("the analysis was deleted");
            }
            Save(s => s);
            if (store.CancelRequested(analysisId))
            {
                cancel.Cancel();
            }
            cancel.Token.ThrowIfCancellationRequested();
            var grants = new KeptLayerGrants(settings.DataDirectory, settings.KeptLayerGrantLifetime);
            // An uploaded image comes from the store onto this node for the length of the rebuild.
            using var inputs = await LayerLens.Web.Jobs.JobInputs.StageAsync(artifacts, analysis, cancel.Token);
            var request = new RebuildRequest(images.Source(analysis), images.OpenOptions(analysis, grants), RebuildDestination.Parse("oci-archive:" + store.ArchivePath(analysisId)))
            {
                Compression = state.Options.Compression == "zstd" ? RebuildCompression.Zstd : RebuildCompression.Gzip,
                Squash = state.Options.Squash,
                MaxLayers = state.Options.Layers,
                DropJunk = state.Options.DropJunk,
                LinkDuplicates = state.Options.LinkDuplicates,
                Force = true,
            };
            var progress = new SynchronousProgress(phase => Save(s => s with { Phase = phase, HeartbeatAtUtc = DateTime.UtcNow }));
            var result = await ImageRebuilder.RunAsync(request, progress, cancel.Token).WaitAsync(deadline.Token);
            var bytes = new FileInfo(store.ArchivePath(analysisId)).Length;
            Save(s => s with { Status = RebuildState.Succeeded, Phase = "done", FinishedAtUtc = DateTime.UtcNow, Report = RebuildReport.From(result), ArchiveBytes = bytes });
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Save(s => s with { Status = RebuildState.Failed, Phase = "failed", FinishedAtUtc = DateTime.UtcNow, Error = AnalysisJob.DeadlineMessage(settings.JobDeadline) });
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            Save(s => s with { Status = RebuildState.Failed, Phase = "failed", FinishedAtUtc = DateTime.UtcNow, Error = "stopped: the server shut down during the rebuild; start it again" });
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Save(s => s with { Status = RebuildState.Cancelled, Phase = "cancelled", FinishedAtUtc = DateTime.UtcNow });
        }
        catch (Exception ex) when (ex is InvalidImageException or RebuildRefusedException or RegistryException or EquivalenceFailedException or ArgumentException)
        {
            // The engine's refusals name what and where, never a server path beyond the rebuild's own directory.
            logger.LogWarning(ex, "Rebuild of analysis {Id} failed", analysisId);
            var message = ex.Message.Replace(store.Directory(analysisId), "rebuild", StringComparison.Ordinal);
            Save(s => s with { Status = RebuildState.Failed, Phase = "failed", FinishedAtUtc = DateTime.UtcNow, Error = message });
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Rebuild of analysis {Id} failed unexpectedly", analysisId);
            Save(s => s with { Status = RebuildState.Failed, Phase = "failed", FinishedAtUtc = DateTime.UtcNow, Error = "the rebuild failed on the server (see its log); nothing was written" });
        }
        finally
        {
            await heartbeat.DisposeAsync();
            cancellations.Unregister(analysisId);
            store.Release(analysisId);
        }
    }

    /// <summary>Reports on the engine's thread (Progress&lt;T&gt; would post to the thread pool and could land after the final state).</summary>
    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
