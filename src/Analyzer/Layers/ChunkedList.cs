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
    private T[][] _chunks = [new T[16]];
    private int _chunkCount = 1;
    private int _capacity = 16;

    public int Count { get; private set; }

    public ref T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }
            // While there is one chunk every index is below the chunk size, so this also covers it.
            return ref _chunks[index >> Shift][index & Mask];
        }
    }

    public void Add(in T item)
    {
        if (Count == _capacity)
        {
            Grow();
        }
        _chunks[Count >> Shift][Count & Mask] = item;
        Count++;
    }

    private void Grow()
    {
        if (_chunkCount == 1 && _capacity < ChunkSize)
        {
            Array.Resize(ref _chunks[0], Math.Min(_capacity * 2, ChunkSize));
            _capacity = _chunks[0].Length;
            return;
        }
        if (_chunkCount == _chunks.Length)
        {
            Array.Resize(ref _chunks, _chunkCount * 2);
        }
        _chunks[_chunkCount++] = new T[ChunkSize];
        _capacity += ChunkSize;
    }
}
