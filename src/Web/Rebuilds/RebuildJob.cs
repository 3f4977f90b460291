using Hangfire;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images.Registry;
using LayerLens.Analyzer.Rebuild;
using LayerLens.Data.Model;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Configuration;
using LayerLens.Web.Jobs;
using LayerLens.Web.Jobs.Pipelines;
using LayerLens.Web.Security;
using LayerLens.Web.Storage;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Rebuilds;

/// <summary>
/// One rebuild, run by Hangfire on the analyses queue: the analysis' image opened as its analysis opened it (the stored
/// upload, or the registry reference with the stored credentials through the network guard), rebuilt by the engine
/// into results/{id}/rebuild/image.oci.tar, or pushed to the registry the user named (through the same network
/// guard, with the credentials the request handed over in memory). The engine writes under a temporary name and
/// renames (or pushes) once the proof passed, so a failed or cancelled run leaves no partial archive and tags nothing. The state file says how it went; the claim is
/// released at the end whatever happened.
/// </summary>
public sealed class RebuildJob(
    SystemDbContextFactory dbFactory,
    RebuildStore store,
    ImagePipeline images,
    LayerLens.Web.Storage.IArtifactStore artifacts,
    JobCancellations cancellations,
    ResolvedSettings settings,
    NetworkTargetGuard guard,
    RebuildPushCredentials pushCredentials,
    ILogger<RebuildJob> logger)
{
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);

    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(Guid analysisId, CancellationToken shutdown)
    {
        using var logScope = logger.BeginScope("Rebuild of analysis {AnalysisId}", analysisId);
        var credentials = pushCredentials.Take(analysisId); // forgotten by the process whatever happens next
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
            var request = Request(analysis, state, credentials, grants);
            var progress = new SynchronousProgress(phase => Save(s => s with { Phase = phase, HeartbeatAtUtc = DateTime.UtcNow }));
            var result = await ImageRebuilder.RunAsync(request, progress, cancel.Token).WaitAsync(deadline.Token);
            long? bytes = result.Push is null ? new FileInfo(store.ArchivePath(analysisId)).Length : null;
            Save(s => s with { Status = RebuildState.Succeeded, Phase = "done", FinishedAtUtc = DateTime.UtcNow, Report = RebuildReport.From(result), ArchiveBytes = bytes, Push = result.Push });
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

    /// <summary>The archive in the rebuild's directory, or a push: reached as pulls are (guard, plain-HTTP rule), never with the server's own auth files.</summary>
    private RebuildRequest Request(Analysis analysis, RebuildState state, RegistryCredentials? credentials, KeptLayerGrants grants)
    {
        var options = images.OpenOptions(analysis, grants);
        var compression = state.Options.Compression == "zstd" ? RebuildCompression.Zstd : RebuildCompression.Gzip;
        if (state.Options.RegistryDestination() is not { } destination)
        {
            return new RebuildRequest(images.Source(analysis), options, RebuildDestination.Parse("oci-archive:" + store.ArchivePath(analysis.Id)))
            {
                Compression = compression,
                Squash = state.Options.Squash,
                MaxLayers = state.Options.Layers,
                DropJunk = state.Options.DropJunk,
                LinkDuplicates = state.Options.LinkDuplicates,
                Force = true,
            };
        }
        if (state.PushAuthenticated && credentials is null)
        {
            throw new RebuildRefusedException("the destination's credentials were kept only in the memory of the server process that accepted the request (they are never stored), and this worker does not have them (another process, or a restart); start the rebuild again");
        }
        return new RebuildRequest(images.Source(analysis), options, destination)
        {
            Compression = compression,
            Squash = state.Options.Squash,
            MaxLayers = state.Options.Layers,
            DropJunk = state.Options.DropJunk,
            LinkDuplicates = state.Options.LinkDuplicates,
            Force = state.Options.Force,
            WorkDirectory = store.Directory(analysis.Id),
            DestinationRegistry = new RegistryOptions
            {
                Credentials = credentials,
                Insecure = settings.AllowPrivateNetworkTargets,
                PlainHttpHosts = settings.InsecureRegistries,
                CreateHandler = () => guard.CreateHandler(TimeSpan.FromSeconds(60)),
            },
        };
    }

    /// <summary>Reports on the engine's thread (Progress&lt;T&gt; would post to the thread pool and could land after the final state).</summary>
    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
