using System.Buffers.Binary;
using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Layers;

/// <summary>
/// Sits between a layer tar and TarReader, following the tar's block structure (a PAX size record included). System.Formats.Tar
/// refuses old GNU sparse ('S') entries outright, so each 'S' header is handed on as a regular file
/// of its packed data (type '0', checksum recomputed) after its sparse map — from the header and
/// from any extended sparse header blocks, which are taken out of the stream — is kept in
/// <see cref="LastSparse"/> for the entry TarReader returns next. TarReader also refuses a PAX header
/// that repeats an attribute, which is how PAX sparse 0.0 lists its segments (GNU.sparse.offset and
/// GNU.sparse.numbytes once per segment): such a header is handed on in the 0.1 form, one
/// GNU.sparse.map record (see <see cref="PaxSparse00"/>). A metadata entry over <see cref="PaxSparse00.MaxHeaderBytes"/>
/// is refused (<see cref="TarHeaderTooLargeException"/>) since TarReader would allocate all of it. Everything else passes unchanged.
/// </summary>
internal sealed class GnuSparseHeaderStream : ReadOnlyStream
{
    private const int Block = 512;
    private const int MaxExtensionBlocks = 100_000;
    private readonly Stream _inner;
    private readonly byte[] _header = new byte[Block];
    private int _headerServed = Block;
    private long _dataLeft;
    // A PAX header's data, read whole (it is bounded) and served after its header block, rewritten or not.
    private byte[] _pax = [];
    private int _paxLength;
    private int _paxServed;
    private string? _pendingPaxError;
    // The last PAX header's 'size' record: the data length of the header after it, as TarReader takes it.
    private long? _paxSize;

    public GnuSparseHeaderStream(Stream inner) => _inner = inner;

    /// <summary>The map of the last header passed on when it was an old GNU sparse entry; null otherwise.</summary>
    public SparseMap? LastSparse { get; private set; }

    /// <summary>Why the PAX sparse 0.0 map of the entry TarReader returns next is unusable; null when it is fine or absent.</summary>
    public string? LastPaxSparseError { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        if (_headerServed < Block)
        {
            var n = Math.Min(buffer.Length, Block - _headerServed);
            _header.AsSpan(_headerServed, n).CopyTo(buffer);
            _headerServed += n;
            return n;
        }
        if (_paxServed < _paxLength)
        {
            var n = Math.Min(buffer.Length, _paxLength - _paxServed);
            _pax.AsSpan(_paxServed, n).CopyTo(buffer);
            _paxServed += n;
            return n;
        }
        if (_dataLeft > 0)
        {
            var n = _inner.Read(buffer[..(int)Math.Min(buffer.Length, _dataLeft)]);
            _dataLeft -= n;
            return n;
        }
        // At a header boundary: take the whole block, look at it, then serve it.
        var got = _inner.ReadAtLeast(_header, Block, throwOnEndOfStream: false);
        if (got < Block)
        {
            // A truncated tar: hand over what there is and let TarReader report it.
            _header.AsSpan(0, got).CopyTo(_header.AsSpan(Block - got));
            _headerServed = Block - got;
            return got == 0 ? 0 : Read(buffer);
        }
        Inspect();
        _headerServed = 0;
        return Read(buffer);
    }

    /// <summary>
    /// Moves past the rest of the current entry's data and block padding as the archive holds them, whatever size
    /// TarReader reported for the entry (a reader that expanded sparse files would report the expanded size).
    /// </summary>
    public void SkipToNextHeader()
    {
        Span<byte> skip = stackalloc byte[Block];
        while (_dataLeft > 0)
        {
            var n = _inner.Read(skip[..(int)Math.Min(Block, _dataLeft)]);
            if (n == 0)
            {
                throw new EndOfStreamException("the layer ends inside an entry's data");
            }
            _dataLeft -= n;
        }
    }

    private void Inspect()
    {
        // End-of-archive blocks and headers TarReader will reject anyway (bad size) carry no data here.
        if (!_header.AsSpan().ContainsAnyExcept((byte)0) || !TryNumber(_header.AsSpan(124, 12), out var size))
        {
            _dataLeft = 0;
            _paxSize = null;
            return;
        }
        if (_paxSize is { } paxSize)
        {
            size = paxSize;
            _paxSize = null;
        }
        var type = _header[156];
        if (type is (byte)'x' or (byte)'g' or (byte)'L' or (byte)'K' && size > PaxSparse00.MaxHeaderBytes)
        {
            // TarReader would rent the whole size up front (gigabytes for a hostile size field) or throw past Array.MaxLength.
            throw new TarHeaderTooLargeException(MetadataName(type), size);
        }
        _dataLeft = (size + Block - 1) / Block * Block;
        // Only a header we rewrite must be proven a header (checksum); others TarReader checks itself.
        if (type == (byte)'x')
        {
            if (ChecksumMatches(_header))
            {
                InspectPax(size);
            }
            return;
        }
        if (type is (byte)'g' or (byte)'L' or (byte)'K')
        {
            return; // metadata entries belong to the header after them
        }
        LastPaxSparseError = _pendingPaxError;
        _pendingPaxError = null;
        if (type == (byte)'S' && ChecksumMatches(_header))
        {
            LastSparse = ReadOldGnuMap(size);
            _header[156] = (byte)'0';
            WriteChecksum(_header);
        }
        else
        {
            LastSparse = null;
        }
    }

    private static string MetadataName(byte type) => type switch
    {
        (byte)'x' => "PAX extended header ('x')",
        (byte)'g' => "PAX global header ('g')",
        (byte)'L' => "GNU long name header ('L')",
        _ => "GNU long link name header ('K')",
    };

    /// <summary>Reads a PAX header's records (bounded by the check in <see cref="Inspect"/>) and rewrites a sparse 0.0 one.</summary>
    private void InspectPax(long size)
    {
        var padded = (int)_dataLeft;
        if (_pax.Length < padded)
        {
            _pax = new byte[Math.Max(padded, Math.Min(2 * _pax.Length, PaxSparse00.MaxHeaderBytes + Block))];
        }
        var got = _inner.ReadAtLeast(_pax.AsSpan(0, padded), padded, throwOnEndOfStream: false);
        _dataLeft = 0;
        (_paxLength, _paxServed) = (got, 0);
        if (got == padded)
        {
            _paxSize = PaxSparse00.SizeRecord(_pax.AsSpan(0, (int)size));
        }
        if (got < padded || PaxSparse00.Rewrite(_pax.AsSpan(0, (int)size)) is not { } rewritten)
        {
            return; // truncated (TarReader reports it) or no 0.0 map: unchanged
        }
        _pendingPaxError = rewritten.Error;
        var length = (rewritten.Records.Length + Block - 1) / Block * Block;
        if (_pax.Length < length)
        {
            _pax = new byte[length];
        }
        rewritten.Records.CopyTo(_pax, 0);
        _pax.AsSpan(rewritten.Records.Length, length - rewritten.Records.Length).Clear();
        _paxLength = length;
        WriteOctal(_header.AsSpan(124, 12), rewritten.Records.Length);
        WriteChecksum(_header);
    }

    private static void WriteOctal(Span<byte> field, long value)
    {
        var text = Convert.ToString(value, 8).PadLeft(field.Length - 1, '0');
        for (var i = 0; i < field.Length - 1; i++)
        {
            field[i] = (byte)text[i];
        }
        field[^1] = 0;
    }

    // Header: 4 × (offset[12], numbytes[12]) at 386, isextended at 482, realsize[12] at 483.
    // Extension blocks: 21 × 24 bytes, isextended at 504.
    private SparseMap ReadOldGnuMap(long packedSize)
    {
        var segments = new List<(long, long)>();
        var valid = AddSegments(_header.AsSpan(386, 4 * 24), segments);
        valid &= TryNumber(_header.AsSpan(483, 12), out var realSize);
        var extended = _header[482] != 0;
        var extension = new byte[Block];
        for (var blocks = 0; extended; blocks++)
        {
            if (blocks == MaxExtensionBlocks || _inner.ReadAtLeast(extension, Block, throwOnEndOfStream: false) < Block)
            {
                return new SparseMap(realSize, segments, packedSize, "its extended sparse headers are truncated or too many");
            }
            valid &= AddSegments(extension.AsSpan(0, 21 * 24), segments);
            extended = extension[504] != 0;
        }
        return new SparseMap(realSize, segments, packedSize, valid ? null : "malformed numbers in its sparse map");
    }

    private static bool AddSegments(ReadOnlySpan<byte> fields, List<(long, long)> segments)
    {
        for (var at = 0; at + 24 <= fields.Length && fields[at] != 0; at += 24)
        {
            if (!TryNumber(fields.Slice(at, 12), out var offset) || !TryNumber(fields.Slice(at + 12, 12), out var length))
            {
                return false;
            }
            segments.Add((offset, length));
        }
        return true;
    }

    /// <summary>Octal ASCII (NUL or space terminated), or base-256 when the first byte's high bit is set.</summary>
    internal static bool TryNumber(ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        if ((field[0] & 0x80) != 0)
        {
            if ((field[0] & 0x7F) != 0 || field.Length < 9 || field[1..^8].ContainsAnyExcept((byte)0))
            {
                return false;
            }
            value = BinaryPrimitives.ReadInt64BigEndian(field[^8..]);
            return value >= 0;
        }
        var i = 0;
        while (i < field.Length && field[i] == (byte)' ')
        {
            i++;
        }
        for (; i < field.Length && field[i] is >= (byte)'0' and <= (byte)'7'; i++)
        {
            if (value > long.MaxValue >> 3)
            {
                return false;
            }
            value = value * 8 + (field[i] - '0');
        }
        return i == field.Length || field[i] is 0 or (byte)' ';
    }

    private static int Checksum(ReadOnlySpan<byte> header, bool signed = false)
    {
        var sum = 0;
        for (var i = 0; i < Block; i++)
        {
            sum += i is >= 148 and < 156 ? ' ' : signed ? (sbyte)header[i] : header[i];
        }
        return sum;
    }

    // Some old tars summed signed bytes; both are accepted, as tar readers do.
    private static bool ChecksumMatches(ReadOnlySpan<byte> header) =>
        TryNumber(header.Slice(148, 8), out var stored) && (stored == Checksum(header) || stored == Checksum(header, signed: true));

    private static void WriteChecksum(Span<byte> header)
    {
        var text = Convert.ToString(Checksum(header), 8).PadLeft(6, '0');
        for (var i = 0; i < 6; i++)
        {
            header[148 + i] = (byte)text[i];
        }
        header[154] = 0;
        header[155] = (byte)' ';
    }
}

/// <summary>Where a sparse file's data segments sit in its real extent; <see cref="Error"/> when the map is unusable.</summary>
internal sealed record SparseMap(long RealSize, List<(long Offset, long Length)> Segments, long DataBytes, string? Error);
