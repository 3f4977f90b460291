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

    /// <summary>Charges a sparse file's expanded size (its holes become real zeros in a rebuild's spool and tar).</summary>
    public void ChargeSparse(long realSize, string where)
    {
        if (!TryConsume(realSize))
        {
            throw new InvalidImageException($"{where}: the image's uncompressed size passes the limit of {Limit} bytes");
        }
    }
}
