using System.Buffers.Binary;
using System.Text;

namespace LayerLens.Analyzer.Layers.Cache;

/// <summary>Reads little-endian fields off a span; past the end it reads zeros and sets <see cref="Failed"/> instead of throwing.</summary>
internal ref struct SpanReader(ReadOnlySpan<byte> bytes)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;
    private int _position;

    public bool Failed;

    public readonly bool AtEnd => _position == _bytes.Length;

    public ReadOnlySpan<byte> Bytes(int count)
    {
        if (count < 0 || count > _bytes.Length - _position)
        {
            Failed = true;
            return [];
        }
        var span = _bytes.Slice(_position, count);
        _position += count;
        return span;
    }

    public byte Byte() => Bytes(1) is [var b] ? b : (byte)0;

    public ushort U16() => Bytes(2) is { Length: 2 } s ? BinaryPrimitives.ReadUInt16LittleEndian(s) : (ushort)0;

    public uint U32() => Bytes(4) is { Length: 4 } s ? BinaryPrimitives.ReadUInt32LittleEndian(s) : 0u;

    public int I32() => Bytes(4) is { Length: 4 } s ? BinaryPrimitives.ReadInt32LittleEndian(s) : 0;

    public long I64() => Bytes(8) is { Length: 8 } s ? BinaryPrimitives.ReadInt64LittleEndian(s) : 0L;

    /// <summary>A count of items of at least <paramref name="itemBytes"/> each: never more than the bytes left could hold.</summary>
    public int Count(int itemBytes)
    {
        var count = I32();
        if (count < 0 || (long)count * itemBytes > _bytes.Length - _position)
        {
            Failed = true;
            return 0;
        }
        return count;
    }

    public string Text()
    {
        var bytes = Bytes(U16());
        return Failed || !System.Text.Unicode.Utf8.IsValid(bytes) ? "" : Encoding.UTF8.GetString(bytes);
    }

    /// <summary>A counted list of ints each in [min, max), or null when any is out of range.</summary>
    public int[]? Ints(int min, int max)
    {
        var values = new int[Count(4)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = I32();
            if (values[i] < min || values[i] >= max)
            {
                Failed = true;
                return null;
            }
        }
        return values;
    }
}
