using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Web.Storage;
using Microsoft.Extensions.Caching.Memory;

namespace LayerLens.Web.Analyses;

/// <summary>
/// Parsed report summaries by analysis, bounded in memory. Opening a page renders it twice (prerender,
/// then the circuit) and several users often open the same analysis: each reads and parses the
/// gzip report once. Keyed by the file's write time too, so a retry's new result is never hidden.
/// </summary>
public sealed class ReportCache(IArtifactStore store) : IDisposable
{
    /// <summary>Budget in compressed report bytes (parsed summaries are a small multiple of that).</summary>
    public const long BudgetBytes = 16L * 1024 * 1024;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = BudgetBytes });

    /// <param name="runId">The run the analysis row names: its results are the visible ones.</param>
    public async Task<ImageReport?> GetAsync(Guid workspaceId, Guid analysisId, Guid? runId)
    {
        var path = await store.ResultFileAsync(workspaceId, analysisId, runId, DataLayout.JsonReport, CancellationToken.None);
        var file = path is null ? null : new FileInfo(path);
        if (file is not { Exists: true })
        {
            return null;
        }
        var key = (analysisId, runId, file.LastWriteTimeUtc.Ticks, file.Length);
        if (_cache.TryGetValue(key, out Lazy<Task<ImageReport?>>? cached) && cached is not null)
        {
            return await cached.Value;
        }
        // Lazy: two renders asking at once share one read.
        var load = new Lazy<Task<ImageReport?>>(() => ReportJson.LoadImageAsync(file.FullName));
        var entry = _cache.GetOrCreate(key, e =>
        {
            e.Size = Math.Max(1, file.Length);
            e.SlidingExpiration = TimeSpan.FromMinutes(10);
            return load;
        })!;
        var task = entry.Value;
        // A failed read is not remembered.
        _ = task.ContinueWith(_ => _cache.Remove(key), CancellationToken.None, TaskContinuationOptions.NotOnRanToCompletion, TaskScheduler.Default);
        return await task;
    }

    public void Dispose() => _cache.Dispose();
}
