using System.Collections.Concurrent;

namespace LayerLens.Web.Jobs;

/// <summary>Cancellation sources of the analyses running in this process, by analysis id.</summary>
public sealed class JobCancellations
{
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();

    public CancellationTokenSource Register(Guid analysisId, CancellationToken shutdown)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        _running[analysisId] = source;
        return source;
    }

    public void Unregister(Guid analysisId) => _running.TryRemove(analysisId, out _);

    /// <summary>Cancels the run here, if any; a run in another process sees the database flag.</summary>
    public void Cancel(Guid analysisId)
    {
        if (_running.TryGetValue(analysisId, out var source))
        {
            source.Cancel();
        }
    }
}
