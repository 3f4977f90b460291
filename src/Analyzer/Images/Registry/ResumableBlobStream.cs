using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Images.Registry;

/// <summary>
/// A blob body that survives a dropped or stalled connection: it asks again from the first byte it
/// has not delivered (<c>Range: bytes=N-</c>) and carries on, so whatever reads it (the digest
/// verifier, the decoder) sees one unbroken stream. A registry that ignores the range and answers
/// 200 is read again from the start and the first N bytes are skipped. Bounded by
/// <see cref="RegistryOptions.MaxResumes"/>; a blob that keeps failing fails, naming it.
/// </summary>
internal sealed class ResumableBlobStream : AsyncReadOnlyStream
{
    /// <summary>Opens the body from an offset; <c>Skip</c> is how many bytes of it come before that offset (200 instead of 206).</summary>
    internal delegate Task<(Stream Body, long Skip)> Reopen(long offset, CancellationToken ct);

    private readonly Reopen _reopen;
    private readonly string _what;
    private readonly long _expectedSize;
    private readonly int _maxResumes;
    private readonly Func<int, TimeSpan> _backoff;
    private Stream _current;
    private long _delivered;
    private int _resumes;

    public ResumableBlobStream(Stream first, Reopen reopen, string what, long expectedSize, int maxResumes, Func<int, TimeSpan> backoff)
    {
        _current = first;
        _reopen = reopen;
        _what = what;
        _expectedSize = expectedSize;
        _maxResumes = maxResumes;
        _backoff = backoff;
    }

    /// <summary>How many times the download was picked up again after a failure.</summary>
    public int Resumes => _resumes;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        while (true)
        {
            RegistryException failure;
            try
            {
                var n = await _current.ReadAsync(buffer, cancellationToken);
                if (n > 0)
                {
                    _delivered += n;
                    return n;
                }
                // A clean end before the size the manifest gave is a cut connection too (close-delimited bodies).
                if (_expectedSize < 0 || _delivered >= _expectedSize)
                {
                    return 0;
                }
                failure = new RegistryException($"{_what}: the body ended after {_delivered} of {_expectedSize} bytes");
            }
            catch (RegistryException ex) when (!cancellationToken.IsCancellationRequested)
            {
                failure = ex;
            }
            await ResumeAsync(failure, cancellationToken);
        }
    }

    private async Task ResumeAsync(RegistryException failure, CancellationToken ct)
    {
        while (true)
        {
            if (_resumes >= _maxResumes)
            {
                throw new RegistryException($"{failure.Message}; gave up after {_resumes} resumed downloads at byte {_delivered}", failure);
            }
            _resumes++;
            await _current.DisposeAsync();
            _current = Stream.Null;
            await Task.Delay(_backoff(_resumes - 1), ct);
            try
            {
                var (body, skip) = await _reopen(_delivered, ct);
                _current = body;
                await SkipAsync(skip, ct);
                return;
            }
            catch (RegistryException ex) when (!ct.IsCancellationRequested)
            {
                failure = ex;
            }
        }
    }

    private async Task SkipAsync(long count, CancellationToken ct)
    {
        if (count <= 0)
        {
            return;
        }
        var scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            while (count > 0)
            {
                var n = await _current.ReadAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, count)), ct);
                if (n == 0)
                {
                    throw new RegistryException($"{_what}: the blob ended before byte {_delivered} when downloaded again");
                }
                count -= n;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current.Dispose();
        }
        base.Dispose(disposing);
    }
}
