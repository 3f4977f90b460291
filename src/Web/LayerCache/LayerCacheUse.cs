namespace LayerLens.Web.LayerCache;

/// <summary>What the layer cache did for one analysis, logged by the job (tests and operators read it).</summary>
public sealed class LayerCacheUse
{
    private int _reused;
    private int _refused;

    /// <summary>Cached change sets handed to the engine in place of reading the layer.</summary>
    public int Reused => Volatile.Read(ref _reused);

    /// <summary>Cached change sets the access rule kept from this analysis (the layer was read instead).</summary>
    public int Refused => Volatile.Read(ref _refused);

    internal void CountReused() => Interlocked.Increment(ref _reused);

    internal void CountRefused() => Interlocked.Increment(ref _refused);
}
