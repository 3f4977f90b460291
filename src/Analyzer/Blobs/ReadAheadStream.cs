using System.Buffers;
using System.Runtime.ExceptionServices;

namespace LayerLens.Analyzer.Blobs;

/// <summary>
/// Reads its source on a dedicated thread, a few chunks ahead of the consumer. A layer is then a
/// pipeline of stages on their own threads (read + blob digest | decompression | diff-id digest +
/// tar + content hashes), so one big layer no longer runs on a single core. Memory stays bounded:
/// at most <see cref="Depth"/> chunks are queued, so a stage holds at most 4 MiB (queued, being
/// read, being filled) and a compressed layer in flight 8 MiB; a deeper queue measured no faster.
/// </summary>
/// <remarks>
/// The hand-off is a lock-protected ring with Monitor.Wait/Pulse rather than a Channel awaited
/// synchronously: a blocked side sleeps instead of spinning, which on a machine with fewer cores
/// than stages took CPU from the decoder (about 7% of the CPU of an analysis went to spin-waits).
/// </remarks>
internal sealed class ReadAheadStream : ReadOnlyStream
{
    private const int ChunkSize = 1024 * 1024;
    private const int Depth = 2;
    private readonly Stream _source;
    private readonly object _gate = new();
    private readonly (byte[] Buffer, int Length)[] _ring = new (byte[], int)[Depth];
    private readonly Thread _producer;
    private int _head;
    private int _count;
    private bool _completed;
    private bool _stopped;
    private ExceptionDispatchInfo? _error;
    private byte[]? _current;
    private int _offset;
    private int _length;

    public ReadAheadStream(Stream source)
    {
        _source = source;
        _producer = new Thread(Produce) { IsBackground = true, Name = "layer read-ahead" };
        _producer.Start();
    }

    private void Produce()
    {
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                var n = Volatile.Read(ref _stopped) ? 0 : _source.ReadAtLeast(buffer.AsSpan(0, ChunkSize), ChunkSize, throwOnEndOfStream: false);
                if (n == 0 || !Enqueue(buffer, n))
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                _error = ExceptionDispatchInfo.Capture(ex);
            }
        }
        finally
        {
            lock (_gate)
            {
                _completed = true;
                Monitor.PulseAll(_gate);
            }
        }
    }

    private bool Enqueue(byte[] buffer, int length)
    {
        lock (_gate)
        {
            while (_count == Depth && !_stopped)
            {
                Monitor.Wait(_gate);
            }
            if (_stopped)
            {
                return false;
            }
            _ring[(_head + _count) % Depth] = (buffer, length);
            if (++_count == 1)
            {
                Monitor.Pulse(_gate);
            }
            return true;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        if ((_current is null || _offset == _length) && !NextChunk())
        {
            return 0;
        }
        var n = Math.Min(buffer.Length, _length - _offset);
        _current.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }

    private bool NextChunk()
    {
        if (_current is not null)
        {
            ArrayPool<byte>.Shared.Return(_current);
            _current = null;
        }
        lock (_gate)
        {
            while (_count == 0 && !_completed)
            {
                Monitor.Wait(_gate);
            }
            if (_count == 0)
            {
                _error?.Throw();
                return false;
            }
            (_current, _length) = _ring[_head];
            _ring[_head] = default;
            _head = (_head + 1) % Depth;
            if (_count-- == Depth)
            {
                Monitor.Pulse(_gate);
            }
        }
        _offset = 0;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                _stopped = true;
                Monitor.PulseAll(_gate);
            }
            // Let the producer finish its current read before the source goes away.
            _producer.Join(TimeSpan.FromMinutes(2));
            lock (_gate)
            {
                for (; _count > 0; _count--, _head = (_head + 1) % Depth)
                {
                    ArrayPool<byte>.Shared.Return(_ring[_head].Buffer);
                    _ring[_head] = default;
                }
            }
            if (_current is not null)
            {
                ArrayPool<byte>.Shared.Return(_current);
                _current = null;
            }
            _source.Dispose();
        }
        base.Dispose(disposing);
    }
}
