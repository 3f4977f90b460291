using LayerLens.Analyzer.Analysis;
using LayerLens.Data;
using LayerLens.Data.Tenancy;
using LayerLens.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Jobs;

/// <summary>
/// Keeps the latest engine progress and writes it to the analysis row a few times a second (not per
/// callback), so the page and the API see phase, layer i of n and bytes read; each write also
/// refreshes the run's heartbeat, and a change is pushed to this process's open pages. It also
/// notices a cancel asked from another process.
/// </summary>
internal sealed class ProgressRecorder(
    SystemDbContextFactory dbFactory, AnalysisNotifier notifier, Guid analysisId, Guid runId, CancellationTokenSource cancel)
    : IProgress<AnalysisProgress>, IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly object _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private string _phase = "starting";
    private AnalysisProgress _latest;
    private (string Phase, AnalysisProgress Progress)? _published;
    private Task? _loop;

    public void Start() => _loop = Task.Run(LoopAsync);

    public void Report(AnalysisProgress value)
    {
        lock (_lock)
        {
            _latest = value;
            if (value.LayerCount > 0 && value.LayersDone == value.LayerCount)
            {
                _phase = "merging layers";
            }
        }
    }

    /// <summary>Image bytes the engine reported read so far.</summary>
    public long BytesRead
    {
        get
        {
            lock (_lock)
            {
                return _latest.BytesRead;
            }
        }
    }

    public void Phase(string phase)
    {
        lock (_lock)
        {
            _phase = phase;
        }
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            try
            {
                await FlushAsync();
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                // A database hiccup must not end the heartbeat for the rest of the run: try again next tick.
            }
        }
    }

    public async Task FlushAsync()
    {
        string phase;
        AnalysisProgress p;
        lock (_lock)
        {
            phase = _phase;
            p = _latest;
        }
        await using var db = await dbFactory.CreateDbContextAsync();
        await db.Analyses.Where(a => a.Id == analysisId && a.RunId == runId && a.Status == AnalysisStatus.Running)
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.ProgressPhase, phase)
                .SetProperty(a => a.ProgressLayersDone, p.LayersDone)
                .SetProperty(a => a.ProgressLayerCount, p.LayerCount)
                .SetProperty(a => a.ProgressBytesRead, p.BytesRead)
                .SetProperty(a => a.ProgressTotalBytes, p.TotalBytes)
                .SetProperty(a => a.HeartbeatAtUtc, DateTime.UtcNow));
        if (_published != (phase, p))
        {
            _published = (phase, p);
            notifier.Publish(analysisId);
        }
        if (await db.Analyses.AnyAsync(a => a.Id == analysisId && a.CancelRequested))
        {
            await cancel.CancelAsync();
        }
    }

    /// <summary>Stops the loop and writes the last progress (once; later calls do nothing).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }
        await FlushAsync();
    }
}
