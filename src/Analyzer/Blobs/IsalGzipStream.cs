using System.Runtime.InteropServices;

namespace LayerLens.Analyzer.Blobs;

/// <summary>
/// Decompresses gzip through ISA-L, streaming (a fixed input buffer, output straight into the caller's).
/// Behaves as GZipStream does: concatenated members are inflated one after another, bytes after the last
/// member that do not start with the gzip magic end the output, a cut inside a member ends it quietly (as
/// GZipStream does without UseStrictValidation) and corrupt data raises InvalidDataException with GZipStream's message.
/// </summary>
internal sealed unsafe class IsalGzipStream : ReadOnlyStream
{
    // GZipStream's text for corrupt data (System.IO.Compression's SR.UnsupportedCompression), so a layer's
    // error reads the same whichever inflater ran.
    internal const string CorruptMessage = "The archive entry was compressed using an unsupported compression method.";

    private const int InputSize = 128 * 1024;

    private readonly Stream _source;
    private readonly IntPtr _state;
    private readonly byte* _input;
    private bool _memberFinished;
    private bool _headerUnchecked = true;
    private bool _sourceEnded;
    private bool _done;
    private bool _disposed;
    // Read and Dispose exclude each other: a read-ahead thread may still be inside Read when the layer is
    // disposed, and the native state must not be freed under it.
    private readonly Lock _gate = new();

    public IsalGzipStream(Stream source)
    {
        _source = source;
        _state = (IntPtr)NativeMemory.AllocZeroed(IsalInflate.StateSize);
        _input = (byte*)NativeMemory.Alloc(InputSize);
        IsalInflate.Init(_state);
        CrcFlag = IsalInflate.Gzip;
        NextIn = _input;
        AvailIn = 0;
    }

    private byte* NextIn
    {
        get => *(byte**)(_state + IsalInflate.NextInOffset);
        set => *(byte**)(_state + IsalInflate.NextInOffset) = value;
    }

    private uint AvailIn
    {
        get => *(uint*)(_state + IsalInflate.AvailInOffset);
        set => *(uint*)(_state + IsalInflate.AvailInOffset) = value;
    }

    private byte* NextOut { set => *(byte**)(_state + IsalInflate.NextOutOffset) = value; }

    private uint AvailOut
    {
        get => *(uint*)(_state + IsalInflate.AvailOutOffset);
        set => *(uint*)(_state + IsalInflate.AvailOutOffset) = value;
    }

    private int BlockState => *(int*)(_state + IsalInflate.BlockStateOffset);

    private uint CrcFlag { set => *(uint*)(_state + IsalInflate.CrcFlagOffset) = value; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        lock (_gate)
        {
            return ReadLocked(buffer);
        }
    }

    private int ReadLocked(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty || _done)
        {
            return 0;
        }
        fixed (byte* output = buffer)
        {
            while (true)
            {
                if (_memberFinished && !StartNextMember())
                {
                    _done = true;
                    return 0;
                }
                if (AvailIn == 0)
                {
                    Fill();
                }
                if (_headerUnchecked)
                {
                    CheckReservedFlags();
                }
                var inBefore = AvailIn;
                NextOut = output;
                AvailOut = (uint)buffer.Length;
                if (IsalInflate.Inflate(_state) < 0)
                {
                    throw new InvalidDataException(CorruptMessage);
                }
                var produced = buffer.Length - (int)AvailOut;
                _memberFinished = BlockState == IsalInflate.BlockFinish;
                if (produced > 0)
                {
                    return produced;
                }
                if (_memberFinished)
                {
                    continue;
                }
                if (_sourceEnded)
                {
                    // Cut inside a member: GZipStream (UseStrictValidation off) ends the output here too;
                    // the layer's digest and diff_id checks refuse it.
                    _done = true;
                    return 0;
                }
                // Nothing out and the input untouched: ISA-L wants more than it holds, so append to it.
                if (AvailIn == inBefore && AvailIn > 0 && !Fill() && AvailIn == InputSize)
                {
                    throw new InvalidDataException(CorruptMessage);
                }
            }
        }
    }

    /// <summary>After a member: another one follows when the next bytes carry the gzip magic (as GZipStream decides).</summary>
    private bool StartNextMember()
    {
        if (AvailIn == 0 && !Fill())
        {
            return false;
        }
        var next = NextIn;
        if (next[0] != 0x1f || (AvailIn > 1 && next[1] != 0x8b))
        {
            return false;
        }
        IsalInflate.Reset(_state);
        CrcFlag = IsalInflate.Gzip;
        _memberFinished = false;
        _headerUnchecked = true;
        return true;
    }

    /// <summary>
    /// zlib refuses a member whose FLG byte sets a reserved bit (RFC 1952: they must be zero); ISA-L ignores
    /// them, so check here. Fewer than four bytes left means a cut header, which both end quietly.
    /// </summary>
    private void CheckReservedFlags()
    {
        while (AvailIn < 4 && Fill())
        {
        }
        _headerUnchecked = false;
        if (AvailIn >= 4 && (NextIn[3] & 0xE0) != 0)
        {
            throw new InvalidDataException(CorruptMessage);
        }
    }

    /// <summary>Moves unread input to the front and reads after it; false when the source has nothing more.</summary>
    private bool Fill()
    {
        if (_sourceEnded)
        {
            return false;
        }
        var left = (int)AvailIn;
        if (left > 0 && NextIn != _input)
        {
            Buffer.MemoryCopy(NextIn, _input, InputSize, left);
        }
        if (left == InputSize)
        {
            return false;
        }
        var got = _source.Read(new Span<byte>(_input + left, InputSize - left));
        if (got <= 0)
        {
            _sourceEnded = true;
            NextIn = _input;
            return false;
        }
        NextIn = _input;
        AvailIn = (uint)(left + got);
        return true;
    }

    // Frees the native buffers of a stream never disposed (Stream.Close suppresses this after Dispose).
    ~IsalGzipStream() => Dispose(false);

    protected override void Dispose(bool disposing)
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _disposed = true;
                NativeMemory.Free((void*)_state);
                NativeMemory.Free(_input);
                if (disposing)
                {
                    _source.Dispose();
                }
            }
        }
        base.Dispose(disposing);
    }
}
