namespace LayerLens.Analyzer.Layers;

/// <summary>
/// An append-only list of structs in fixed-size chunks: growing never copies more than one chunk
/// and never leaves more than one chunk of slack (a doubling List would hold up to 2× and copy it all).
/// Small lists stay small: the first chunk grows by doubling up to the chunk size.
/// </summary>
public sealed class ChunkedList<T> where T : struct
{
    private const int Shift = 14;
    private const int ChunkSize = 1 << Shift;
    private const int Mask = ChunkSize - 1;
    private readonly List<T[]> _chunks = [new T[16]];

    public int Count { get; private set; }

    public long CapacityBytes => _chunks.Sum(c => (long)c.Length) * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    public ref T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }
            return ref _chunks.Count == 1 ? ref _chunks[0][index] : ref _chunks[index >> Shift][index & Mask];
        }
    }

    public void Add(in T item)
    {
        var first = _chunks[0];
        if (_chunks.Count == 1 && Count == first.Length && first.Length < ChunkSize)
        {
            Array.Resize(ref first, Math.Min(first.Length * 2, ChunkSize));
            _chunks[0] = first;
        }
        else if (Count == (long)_chunks.Count * ChunkSize)
        {
            _chunks.Add(new T[ChunkSize]);
        }
        var chunk = _chunks.Count == 1 ? first : _chunks[Count >> Shift];
        chunk[_chunks.Count == 1 ? Count : Count & Mask] = item;
        Count++;
    }
}
