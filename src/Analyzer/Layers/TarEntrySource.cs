using System.Formats.Tar;

namespace LayerLens.Analyzer.Layers;

/// <summary>
/// The entries of one tar through a fresh <see cref="TarReader"/> every few thousand entries.
/// A TarReader keeps every entry's data stream in a list until it is disposed (to dispose them
/// with it): about 70 bytes per entry, alive until the layer is read, 70 MB on a million-file
/// layer. Each new reader starts exactly where the old one would have gone on (after the last
/// entry's data and its block padding, counted by <see cref="GnuSparseHeaderStream"/> from the
/// archive's own sizes, not from the entry's Length), so the lists stay short and become garbage early.
/// </summary>
internal sealed class TarEntrySource : IDisposable
{
    private const int EntriesPerReader = 4096;
    private readonly GnuSparseHeaderStream _archive;
    private TarReader _reader;
    private TarEntry? _last;
    private int _served;

    public TarEntrySource(GnuSparseHeaderStream archive)
    {
        _archive = archive;
        _reader = new TarReader(archive, leaveOpen: true);
    }

    /// <summary>The next entry (its data is readable until the next call), or null at the end.</summary>
    public TarEntry? Next()
    {
        if (_last is not null && ++_served >= EntriesPerReader)
        {
            _archive.SkipToNextHeader();
            _reader.Dispose();
            _reader = new TarReader(_archive, leaveOpen: true);
            _served = 0;
        }
        _last = _reader.GetNextEntry(copyData: false);
        return _last;
    }

    public void Dispose() => _reader.Dispose();
}
