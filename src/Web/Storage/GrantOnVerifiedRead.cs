using System.Security.Cryptography;

namespace LayerLens.Web.Storage;

/// <summary>
/// Passes a download through, hashing it; read to the end with the expected digest, it runs <c>granted</c>.
/// A download cut short or with other bytes grants nothing.
/// </summary>
internal sealed class GrantOnVerifiedRead(Stream source, string digest, Action granted) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _ended;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = source.Read(buffer);
        Seen(buffer[..read], buffer.IsEmpty);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await source.ReadAsync(buffer, cancellationToken);
        Seen(buffer.Span[..read], buffer.IsEmpty);
        return read;
    }

    /// <summary>An empty read into a non-empty buffer is the end of the download.</summary>
    private void Seen(ReadOnlySpan<byte> bytes, bool askedForNothing)
    {
        if (_ended || (bytes.IsEmpty && askedForNothing))
        {
            return;
        }
        if (!bytes.IsEmpty)
        {
            _hash.AppendData(bytes);
            return;
        }
        _ended = true;
        if ("sha256:" + Convert.ToHexStringLower(_hash.GetHashAndReset()) == digest)
        {
            granted();
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            source.Dispose();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
