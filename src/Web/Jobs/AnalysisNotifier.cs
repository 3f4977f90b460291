using System.Collections.Concurrent;

namespace LayerLens.Web.Jobs;

/// <summary>
/// In-process push of analysis changes: a job (or a cancel/retry) publishes after it writes the row,
/// and the open pages of that analysis re-read it at once. Jobs running in another process cannot
/// reach this, so pages keep a slow database poll (<see cref="FallbackPollInterval"/>) as well.
/// </summary>
public sealed class AnalysisNotifier
{
    private readonly ConcurrentDictionary<Guid, ImmutableSubscribers> _subscribers = new();

    /// <summary>How often an open page re-reads a queued or running analysis without a push.</summary>
    public TimeSpan FallbackPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Calls <paramref name="onChange"/> after each change of the analysis until the subscription is disposed.</summary>
    public IDisposable Subscribe(Guid analysisId, Func<Task> onChange)
    {
        var subscription = new Subscription(this, analysisId, onChange);
        _subscribers.AddOrUpdate(analysisId, _ => new([subscription]), (_, s) => new([.. s.Items, subscription]));
        return subscription;
    }

    /// <summary>Tells this process's subscribers the row changed; a failing subscriber never fails the job.</summary>
    public void Publish(Guid analysisId)
    {
        if (!_subscribers.TryGetValue(analysisId, out var current))
        {
            return;
        }
        foreach (var subscription in current.Items)
        {
            _ = Notify(subscription);
        }
    }

    private static async Task Notify(Subscription subscription)
    {
        try
        {
            await subscription.OnChange();
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or TaskCanceledException)
        {
            // The page went away while the change was on its way.
        }
    }

    private void Remove(Subscription subscription)
    {
        while (_subscribers.TryGetValue(subscription.AnalysisId, out var current))
        {
            var rest = current.Items.Where(s => !ReferenceEquals(s, subscription)).ToArray();
            var done = rest.Length == 0
                ? _subscribers.TryRemove(new KeyValuePair<Guid, ImmutableSubscribers>(subscription.AnalysisId, current))
                : _subscribers.TryUpdate(subscription.AnalysisId, new(rest), current);
            if (done)
            {
                return;
            }
        }
    }

    /// <summary>Copy-on-write so publishing never locks against subscribing.</summary>
    private sealed record ImmutableSubscribers(Subscription[] Items);

    private sealed class Subscription(AnalysisNotifier owner, Guid analysisId, Func<Task> onChange) : IDisposable
    {
        private int _disposed;

        public Guid AnalysisId { get; } = analysisId;

        public Func<Task> OnChange { get; } = onChange;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Remove(this);
            }
        }
    }
}
