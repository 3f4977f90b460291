using System.IO.Hashing;
using System.Text;

namespace LayerLens.Analyzer.FileTree;

/// <summary>
/// Interned path segments stored as UTF-8 in one byte arena with an open-addressing index:
/// about (length + 12) bytes per distinct name instead of a string object per segment.
/// Not thread-safe; <see cref="PathTable"/> serialises access.
/// </summary>
internal sealed class NameTable
{
    private byte[] _arena = new byte[1 << 16];
    private int _arenaLength;
    private int[] _offsets = new int[1024 + 1];
    private int[] _slots = new int[2048];
    private int _count;

    public int Count => _count;

    public long MemoryBytes => _arena.Length + (long)_offsets.Length * 4 + (long)_slots.Length * 4;

    public int GetOrAdd(ReadOnlySpan<char> name)
    {
        var max = Encoding.UTF8.GetMaxByteCount(name.Length);
        var rented = max > 1024 ? new byte[max] : null;
        var utf8 = rented ?? stackalloc byte[1024];
        var length = Encoding.UTF8.GetBytes(name, utf8);
        var bytes = utf8[..length];

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
        EnsureArena(length);
        bytes.CopyTo(_arena.AsSpan(_arenaLength));
        if (newId + 1 >= _offsets.Length)
        {
            Array.Resize(ref _offsets, _offsets.Length * 2);
        }
        _offsets[newId] = _arenaLength;
        _arenaLength += length;
        _offsets[newId + 1] = _arenaLength;
        _count++;
        _slots[slot] = newId + 1;
        if (_count * 2 > _slots.Length)
        {
            Rehash();
        }
        return newId;
    }

    public ReadOnlySpan<byte> Bytes(int id) => _arena.AsSpan(_offsets[id], _offsets[id + 1] - _offsets[id]);

    public string GetString(int id) => Encoding.UTF8.GetString(Bytes(id));

    private void EnsureArena(int extra)
    {
        if (_arenaLength + extra > _arena.Length)
        {
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaLength + extra));
        }
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
