namespace LayerLens.Analyzer.Blobs;

/// <summary>Uncompressed bytes read so far across all layers of one image (shared by parallel readers).</summary>
public sealed class ImageByteBudget
{
    private long _used;

    public ImageByteBudget(long limit) => Limit = limit;

    public long Limit { get; }

    public long Used => Interlocked.Read(ref _used);

    /// <summary>Adds <paramref name="bytes"/>; false once the total passes the limit.</summary>
    public bool TryConsume(long bytes) => Interlocked.Add(ref _used, bytes) <= Limit;
}
