namespace LayerLens.Analyzer.FileTree;

/// <summary>
/// The tables of a big tree grow by doubling; each outgrown array lands in the large-object heap,
/// which only a full collection frees. Left alone, those copies (about 40 bytes per path at a
/// million paths) sit in memory until the layer phase ends, at the memory peak. Collecting right
/// after a large growth frees them at once; it is cheap because the tables are arrays of numbers
/// the collector does not have to trace, and it happens a handful of times per image.
/// </summary>
internal static class OutgrownArrays
{
    private const long Threshold = 4L << 20;

    public static void Released(long bytes)
    {
        if (bytes >= Threshold)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        }
    }
}
