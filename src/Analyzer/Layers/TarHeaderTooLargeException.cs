namespace LayerLens.Analyzer.Layers;

/// <summary>
/// A metadata entry (PAX 'x'/'g', GNU 'L'/'K') larger than <see cref="PaxSparse00.MaxHeaderBytes"/>: TarReader would
/// rent its whole size (gigabytes on a hostile size field), so <see cref="GnuSparseHeaderStream"/> refuses it first.
/// </summary>
internal sealed class TarHeaderTooLargeException(string what, long size)
    : IOException($"{what} of {size:N0} bytes is over the limit of {PaxSparse00.MaxHeaderBytes:N0} bytes")
{
    public string What { get; } = what;
    public long Size { get; } = size;
}
