namespace LayerLens.Analyzer.Images.Registry;

/// <summary>
/// A read-only view of an upload's source that reports every read and refuses more or fewer bytes than announced.
/// Disposing it leaves the source open: the pusher's caller owns that.
/// </summary>
internal sealed class CountingStream(Stream inner, long size, Action<int> onRead) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => size;
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Count(int n)
    {
        _read += n;
        if (_read > size)
        {
            throw new IOException($"the blob has more than the {size} bytes announced");
        }
        if (n == 0 && _read < size)
        {
            throw new IOException($"the blob ended after {_read} of the {size} bytes announced");
        }
        onRead(n);
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
