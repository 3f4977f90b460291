using System.Runtime.InteropServices;

namespace LayerLens.Analyzer.Blobs;

/// <summary>
/// Decompresses zstd through libzstd, streaming (a fixed native input buffer, output straight into the caller's).
/// Follows ZstdSharp's DecompressionStream step for step, so a layer reads and fails the same whichever decoder
/// ran: every frame is decoded in turn, bytes that are not a frame are an error (zstd's own error name, the
/// text ZstdSharp's ZstdException carries), and input ending inside a frame raises EndOfStreamException
/// ("Premature end of stream").
/// </summary>
internal sealed unsafe class NativeZstdStream : ReadOnlyStream
{
    private readonly Stream _source;
    private readonly IntPtr _stream;
    private readonly byte* _input;
    private readonly int _inputSize;
    // Native too: libzstd advances it, so it must not move with the object.
    private readonly NativeZstd.Buffer* _in;
    private nuint _lastResult;
    private bool _drained = true;
    private bool _disposed;
    // Read and Dispose exclude each other: a read-ahead thread may still be inside Read when the layer is disposed.
    private readonly Lock _gate = new();

    public NativeZstdStream(Stream source)
    {
        _source = source;
        _inputSize = NativeZstd.InputSize;
        _input = (byte*)NativeMemory.Alloc((nuint)_inputSize);
        _stream = NativeZstd.Create();
        if (_stream == IntPtr.Zero)
        {
            NativeMemory.Free(_input);
            GC.SuppressFinalize(this);
            throw new OutOfMemoryException("ZSTD_createDStream failed");
        }
        _in = (NativeZstd.Buffer*)NativeMemory.AllocZeroed((nuint)sizeof(NativeZstd.Buffer));
        _in->Pointer = _input;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return buffer.IsEmpty ? 0 : ReadLocked(buffer);
        }
    }

    private int ReadLocked(Span<byte> buffer)
    {
        fixed (byte* output = buffer)
        {
            var outBuffer = new NativeZstd.Buffer { Pointer = output, Size = (nuint)buffer.Length, Position = 0 };
            while (true)
            {
                // Input left, or output that filled the caller's buffer may have left more inside the decoder.
                while (_in->Position < _in->Size || !_drained)
                {
                    var before = _in->Position;
                    var result = NativeZstd.Decompress(_stream, &outBuffer, _in);
                    if (outBuffer.Position > 0 || before != _in->Position)
                    {
                        // Zero once a frame is complete: the end of the source is then a clean end.
                        _lastResult = result;
                    }
                    _drained = outBuffer.Position < outBuffer.Size;
                    if (outBuffer.Position > 0)
                    {
                        return (int)outBuffer.Position;
                    }
                }
                var got = _source.Read(new Span<byte>(_input, _inputSize));
                if (got <= 0)
                {
                    if (_lastResult != 0)
                    {
                        throw new EndOfStreamException("Premature end of stream");
                    }
                    return 0;
                }
                _in->Size = (nuint)got;
                _in->Position = 0;
            }
        }
    }

    // Frees the native state of a stream never disposed (Stream.Close suppresses this after Dispose).
    ~NativeZstdStream() => Dispose(false);

    protected override void Dispose(bool disposing)
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _disposed = true;
                NativeZstd.Free(_stream);
                NativeMemory.Free(_input);
                NativeMemory.Free(_in);
                if (disposing)
                {
                    _source.Dispose();
                }
            }
        }
        base.Dispose(disposing);
    }
}
