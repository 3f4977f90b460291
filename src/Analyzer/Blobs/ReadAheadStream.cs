using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace LayerLens.Analyzer.Blobs;

/// <summary>
/// Reads its source on a dedicated thread, a few chunks ahead of the consumer. A layer is then a
/// two-stage pipeline — read + blob digest + decompression on one core, diff-id digest + tar
/// parsing + content hashing on another — so one big layer no longer runs on a single core.
/// Memory stays bounded: at most <see cref="Depth"/> chunks are in flight.
/// </summary>
internal sealed class ReadAheadStream : ReadOnlyStream
{
    private const int ChunkSize = 256 * 1024;
    private const int Depth = 4;
    private readonly Stream _source;
    private readonly Channel<(byte[] Buffer, int Length)> _chunks = Channel.CreateBounded<(byte[], int)>(
        new BoundedChannelOptions(Depth) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private byte[]? _current;
    private int _offset;
    private int _length;
    private bool _done;

    public ReadAheadStream(Stream source)
    {
        _source = source;
        _producer = Task.Factory.StartNew(Produce, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Produce()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                var n = _source.ReadAtLeast(buffer.AsSpan(0, ChunkSize), ChunkSize, throwOnEndOfStream: false);
                if (n == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }
                if (!_chunks.Writer.WaitToWriteAsync(_stop.Token).AsTask().GetAwaiter().GetResult() || !_chunks.Writer.TryWrite((buffer, n)))
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }
            }
            _chunks.Writer.TryComplete();
        }
        catch (OperationCanceledException)
        {
            _chunks.Writer.TryComplete();
        }
        catch (Exception ex)
        {
            _chunks.Writer.TryComplete(ex);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        while (_current is null || _offset == _length)
        {
            if (_done || !NextChunk())
            {
                return 0;
            }
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
        try
        {
            if (!_chunks.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                _done = true;
                return false;
            }
        }
        catch (ChannelClosedException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
        }
        if (!_chunks.Reader.TryRead(out var chunk))
        {
            return true;
        }
        (_current, _length, _offset) = (chunk.Buffer, chunk.Length, 0);
        return true;
    }


    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Cancel();
            // Unblock a producer waiting for room, then let it finish before the source goes away.
            while (_chunks.Reader.TryRead(out var chunk))
            {
                ArrayPool<byte>.Shared.Return(chunk.Buffer);
            }
            _producer.Wait(TimeSpan.FromMinutes(2));
            while (_chunks.Reader.TryRead(out var chunk))
            {
                ArrayPool<byte>.Shared.Return(chunk.Buffer);
            }
            if (_current is not null)
            {
                ArrayPool<byte>.Shared.Return(_current);
                _current = null;
            }
            _source.Dispose();
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }
}
