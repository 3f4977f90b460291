namespace LayerLens.Analyzer.Blobs;

/// <summary>
/// The uncompressed content of one layer blob: sniffs the compression, enforces the size and ratio
/// limits while reading, and on <see cref="Complete"/> verifies the blob digest and the diff id.
/// Decoder errors (truncated or corrupt gzip/zstd) surface as <see cref="InvalidImageException"/>.
/// </summary>
public sealed class LayerBlobStream : ReadOnlyStream
{
    private readonly LayerBlob _layer;
    private readonly AnalysisLimits _limits;
    private readonly ImageByteBudget _budget;
    private readonly HashingReadStream _compressed;
    // What the decoder reads: the blob itself, or a read-ahead stage over it (only that stage's thread reads the blob then).
    private Stream _decoderSource;
    private readonly Stream _decoded;
    private readonly HashingReadStream _uncompressed;

    public LayerBlobStream(Stream raw, LayerBlob layer, AnalysisLimits limits, ImageByteBudget budget)
    {
        _layer = layer;
        _limits = limits;
        _budget = budget;
        _compressed = new HashingReadStream(raw);
        _decoderSource = _compressed;
        try
        {
            // Three stages for a compressed layer: read + blob digest | decompress | diff-id digest + tar + content hashes.
            _decoded = Blobs.Compression.OpenDecoded(_compressed, out var kind, blob => _decoderSource = new ReadAheadStream(blob));
            Compression = kind;
        }
        catch (IOException ex)
        {
            throw new InvalidImageException($"{layer.Describe()}: cannot read the blob ({ex.Message})", ex);
        }
        _uncompressed = new HashingReadStream(new ReadAheadStream(_decoded));
    }

    public CompressionKind Compression { get; }

    /// <summary>Told the compressed bytes read since its last call, about every MiB (for progress bars).</summary>
    public Action<long>? Progress { get; set; }

    private long _reported;

    public long CompressedBytesRead => _compressed.BytesRead;

    /// <summary>sha256 of the blob as read (meaningful after <see cref="Complete"/>).</summary>
    public string ComputedDigest => "sha256:" + _compressed.DigestHex();

    /// <summary>Compressed bytes read but not yet passed to <see cref="Progress"/>.</summary>
    public long UnreportedBytes => _compressed.BytesRead - _reported;

    public long UncompressedBytesRead => _uncompressed.BytesRead;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = _uncompressed.Read(buffer);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or ZstdSharp.ZstdException)
        {
            throw new InvalidImageException($"{_layer.Describe()}: corrupt or truncated {Compression} data ({ex.Message})", ex);
        }
        if (n > 0)
        {
            CheckLimits(n);
            var read = _compressed.BytesRead;
            if (Progress is not null && read - _reported >= 1 << 20)
            {
                Progress(read - _reported);
                _reported = read;
            }
        }
        return n;
    }

    private void CheckLimits(int n)
    {
        var total = _uncompressed.BytesRead;
        if (total > _limits.MaxLayerUncompressedBytes)
        {
            throw new InvalidImageException($"{_layer.Describe()}: uncompressed size passes the limit of {_limits.MaxLayerUncompressedBytes} bytes per layer (decompression bomb?)");
        }
        if (!_budget.TryConsume(n))
        {
            throw new InvalidImageException($"{_layer.Describe()}: the image's uncompressed size passes the limit of {_budget.Limit} bytes");
        }
        if (Compression != CompressionKind.None && total > _limits.CompressionRatioGraceBytes
            && total > _limits.MaxCompressionRatio * Math.Max(1, _compressed.BytesRead))
        {
            throw new InvalidImageException($"{_layer.Describe()}: compression ratio passes {_limits.MaxCompressionRatio}:1 (decompression bomb?)");
        }
    }

    /// <summary>Reads whatever the tar reader left (end-of-archive padding), then checks both digests.</summary>
    public void Complete()
    {
        var scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            while (Read(scratch, 0, scratch.Length) > 0)
            {
            }
            // Bytes after the end of the compressed stream are part of the blob (and of its digest).
            while (_decoderSource.Read(scratch, 0, scratch.Length) > 0)
            {
            }
        }
        catch (IOException ex)
        {
            throw new InvalidImageException($"{_layer.Describe()}: cannot read the blob ({ex.Message})", ex);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }

        if (_layer.Digest is { } digest && digest != "sha256:" + _compressed.DigestHex())
        {
            throw new InvalidImageException($"{_layer.Describe()}: digest mismatch, content is sha256:{_compressed.DigestHex()}");
        }
        if (_layer.DiffId is { } diffId && diffId != "sha256:" + _uncompressed.DigestHex())
        {
            throw new InvalidImageException($"{_layer.Describe()}: diff_id mismatch, config says {diffId} but the uncompressed layer is sha256:{_uncompressed.DigestHex()}");
        }
        if (_layer.CompressedSize >= 0 && _compressed.BytesRead != _layer.CompressedSize)
        {
            throw new InvalidImageException($"{_layer.Describe()}: size mismatch, expected {_layer.CompressedSize} bytes but read {_compressed.BytesRead}");
        }
    }

    public override long Position { get => _uncompressed.BytesRead; set => throw new NotSupportedException(); }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _uncompressed.Dispose();
        }
        base.Dispose(disposing);
    }
}
