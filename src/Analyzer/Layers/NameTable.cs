using System.IO.Hashing;
using System.Text;

namespace LayerLens.Analyzer.Layers;

/// <summary>
/// Interned path segments stored as UTF-8 in 1 MiB arena chunks (growing never copies names)
/// with an open-addressing index: about (length + 12) bytes per distinct name instead of a
/// string object per segment.
/// Not thread-safe; <see cref="PathTable"/> serialises access.
/// </summary>
internal sealed class NameTable
{
    private const int ChunkShift = 20;
    private const int ChunkSize = 1 << ChunkShift;
    private readonly List<byte[]> _chunks = [new byte[4096]];
    private int _chunkUsed;
    private int[] _offsets = new int[1024];
    private ushort[] _lengths = new ushort[1024];
    private int[] _slots = new int[2048];
    private int _count;

    public int Count => _count;

    public int GetOrAdd(ReadOnlySpan<char> name)
    {
        var max = Encoding.UTF8.GetMaxByteCount(name.Length);
        var rented = max > 1024 ? new byte[max] : null;
        var utf8 = rented ?? stackalloc byte[1024];
        var length = Encoding.UTF8.GetBytes(name, utf8);
        if (length > ushort.MaxValue)
        {
            throw new ArgumentException("a path segment longer than 65535 bytes", nameof(name));
        }
        return GetOrAdd(utf8[..length]);
    }

    /// <summary>The id of a name given as UTF-8 (a cached layer's names are stored that way).</summary>
    public int GetOrAdd(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > ushort.MaxValue)
        {
            throw new ArgumentException("a path segment longer than 65535 bytes", nameof(bytes));
        }
        var length = bytes.Length;
        var mask = _slots.Length - 1;
        var slot = (int)(XxHash3.HashToUInt64(bytes) & (ulong)mask);
        while (true)
        {
            var id = _slots[slot] - 1;
            if (id < 0)
            {
                break;
            }
            if (Bytes(id).SequenceEqual(bytes))
            {
                return id;
            }
            slot = (slot + 1) & mask;
        }

        var newId = _count;
        if (newId == _offsets.Length)
        {
            Array.Resize(ref _offsets, _offsets.Length * 2);
            Array.Resize(ref _lengths, _lengths.Length * 2);
        }
        _offsets[newId] = Append(bytes);
        _lengths[newId] = (ushort)length;
        _count++;
        _slots[slot] = newId + 1;
        if (_count * 4 > _slots.Length * 3)
        {
            Rehash();
        }
        return newId;
    }

    public ReadOnlySpan<byte> Bytes(int id)
    {
        var offset = _offsets[id];
        return _chunks[offset >> ChunkShift].AsSpan(offset & (ChunkSize - 1), _lengths[id]);
    }

    public string GetString(int id) => Encoding.UTF8.GetString(Bytes(id));

    /// <summary>Stores a name in the last chunk (a name never straddles two); returns its global offset.</summary>
    private int Append(ReadOnlySpan<byte> bytes)
    {
        var chunk = _chunks[^1];
        if (_chunkUsed + bytes.Length > chunk.Length)
        {
            if (chunk.Length < ChunkSize && _chunks.Count == 1)
            {
                Array.Resize(ref chunk, Math.Min(ChunkSize, Math.Max(chunk.Length * 2, _chunkUsed + bytes.Length)));
                _chunks[0] = chunk;
            }
            else
            {
                chunk = new byte[ChunkSize];
                _chunks.Add(chunk);
                _chunkUsed = 0;
            }
        }
        bytes.CopyTo(chunk.AsSpan(_chunkUsed));
        var offset = ((_chunks.Count - 1) << ChunkShift) | _chunkUsed;
        _chunkUsed += bytes.Length;
        return offset;
    }

    private void Rehash()
    {
        var slots = new int[_slots.Length * 2];
        var mask = slots.Length - 1;
        for (var id = 0; id < _count; id++)
        {
            var slot = (int)(XxHash3.HashToUInt64(Bytes(id)) & (ulong)mask);
            while (slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }
            slots[slot] = id + 1;
        }
        _slots = slots;
    }
}
