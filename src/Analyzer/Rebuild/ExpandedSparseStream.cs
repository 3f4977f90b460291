using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Rebuild;

/// <summary>
/// The content of a GNU sparse tar entry as a container sees it: the packed data segments placed at their
/// offsets and zeros in the holes, up to the real size. The rebuild writes sparse files densely (same size and
/// bytes, which is what the contract compares), so readers of the rewritten layer need no sparse support.
/// The map was validated by <see cref="Layers.SparseFiles.ReadMap"/> (ordered, non-overlapping, within the real size).
/// </summary>
internal sealed class ExpandedSparseStream(Stream packed, List<(long Offset, long Length)> map, long realSize, string where) : ReadOnlyStream
{
    private long _position;
    private int _segment;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _position >= realSize)
        {
            return 0;
        }
        while (_segment < map.Count && _position >= map[_segment].Offset + map[_segment].Length)
        {
            _segment++;
        }
        if (_segment < map.Count && _position >= map[_segment].Offset)
        {
            var end = map[_segment].Offset + map[_segment].Length;
            var n = packed.Read(buffer[..(int)Math.Min(buffer.Length, end - _position)]);
            if (n == 0)
            {
                throw new InvalidImageException($"{where}: sparse data ends early");
            }
            _position += n;
            return n;
        }
        var hole = (_segment < map.Count ? map[_segment].Offset : realSize) - _position;
        var zeros = (int)Math.Min(buffer.Length, hole);
        buffer[..zeros].Clear();
        _position += zeros;
        return zeros;
    }
}
