using System.Security.Cryptography;

namespace LayerLens.Web.Storage.Registry;

/// <summary>
/// Hashes what passes through it. Reading an upload: counts and caps it (<see cref="TooLarge"/>, then
/// <see cref="Data.Blobs.BlobTooLargeException"/>). Reading from the store: at the end the bytes must have
/// <c>expectedDigest</c> and <c>expectedLength</c>, or the read fails with <see cref="ArtifactIntegrityException"/>
/// (the reader must treat everything it read as unverified until the end).
/// </summary>
internal sealed class DigestingStream(Stream inner, long maxBytes, string? expectedDigest = null, long expectedLength = -1, string what = "artefact", bool leaveOpen = false) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private string? _digest;

    public long BytesRead { get; private set; }

    public bool TooLarge { get; private set; }

    /// <summary>The digest of everything read; only once the end was reached.</summary>
    public string Digest => _digest ?? throw new InvalidOperationException("the stream was not read to its end");

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(buffer.AsSpan(offset, count), inner.Read(buffer, offset, count), count == 0);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Count(buffer.Span, read, buffer.IsEmpty);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Count(Span<byte> buffer, int read, bool askedForNothing)
    {
        if (read == 0 && !askedForNothing)
        {
            End();
            return 0;
        }
        BytesRead += read;
        if (BytesRead > maxBytes || expectedLength >= 0 && BytesRead > expectedLength)
        {
            TooLarge = true;
            throw expectedDigest is null
                ? new Data.Blobs.BlobTooLargeException(maxBytes)
                : new ArtifactIntegrityException($"{what}: the store sent more bytes than its {expectedLength:N0}; refused");
        }
        _hash.AppendData(buffer[..read]);
        return read;
    }

    private void End()
    {
        if (_digest is not null)
        {
            return;
        }
        _digest = "sha256:" + Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (expectedDigest is not null && (_digest != expectedDigest || expectedLength >= 0 && BytesRead != expectedLength))
        {
            throw new ArtifactIntegrityException($"{what}: the store sent bytes with digest {_digest} ({BytesRead:N0} bytes), not {expectedDigest}; refused");
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
            if (!leaveOpen)
            {
                inner.Dispose();
            }
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
