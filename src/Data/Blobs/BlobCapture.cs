using System.Security.Cryptography;

namespace LayerLens.Data.Blobs;

/// <summary>
/// Passes a download through unchanged while copying it to a temp file and hashing it. Read to the
/// end with the expected digest, the copy becomes the blob; cut short or with another digest, the
/// copy is dropped (the reader gets the bytes either way and judges them itself). Whoever must know that the
/// bytes were verified and kept (a grant to read them again) passes <c>kept</c>.
/// </summary>
internal sealed class BlobCapture : Stream
{
    private readonly BlobStore _store;
    private readonly string _digest;
    private readonly Stream _source;
    private readonly string _temp;
    private readonly FileStream _copy;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Action? _kept;
    private bool _ended;

    public BlobCapture(BlobStore store, string digest, Stream source, string temp, Action? kept)
    {
        _kept = kept;
        _store = store;
        _digest = digest;
        _source = source;
        _temp = temp;
        _copy = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = _source.Read(buffer);
        Keep(buffer[..read], buffer.IsEmpty);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _source.ReadAsync(buffer, cancellationToken);
        Keep(buffer.Span[..read], buffer.IsEmpty);
        return read;
    }

    /// <summary>Copies what was read; an empty read into a non-empty buffer is the end of the download.</summary>
    private void Keep(ReadOnlySpan<byte> bytes, bool askedForNothing)
    {
        if (_ended || (bytes.IsEmpty && askedForNothing))
        {
            return;
        }
        if (bytes.IsEmpty)
        {
            End();
            return;
        }
        _hash.AppendData(bytes);
        _copy.Write(bytes);
    }

    private void End()
    {
        _ended = true;
        LayerLens.Data.Durability.DurableFiles.Sync(_copy);
        _copy.Dispose();
        var actual = "sha256:" + Convert.ToHexStringLower(_hash.GetHashAndReset());
        var kept = false;
        try
        {
            if (actual == _digest)
            {
                _store.Adopt(_temp, _digest);
                kept = true;
            }
        }
        finally
        {
            // Adopted, refused, or adoption failed (the reader still got every byte): no temp file stays behind.
            File.Delete(_temp);
        }
        if (kept)
        {
            _kept?.Invoke();
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
            _source.Dispose();
            _hash.Dispose();
            if (!_ended)
            {
                // Not read to the end: nothing to keep.
                _copy.Dispose();
                File.Delete(_temp);
            }
        }
        base.Dispose(disposing);
    }
}
