namespace LayerLens.Analyzer.Blobs;

/// <summary>
/// A forward-only stream whose real work is asynchronous (network bodies): synchronous reads, which
/// the tar reader and decompressors issue, go through <see cref="Stream.ReadAsync(Memory{byte}, CancellationToken)"/>
/// into a pooled buffer so the async path holds the only logic.
/// </summary>
public abstract class AsyncReadOnlyStream : ReadOnlyStream
{
    public sealed override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public sealed override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            var n = ReadAsync(rented.AsMemory(0, buffer.Length)).AsTask().GetAwaiter().GetResult();
            rented.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);
}
