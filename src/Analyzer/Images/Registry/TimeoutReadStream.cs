using LayerLens.Analyzer.Blobs;
namespace LayerLens.Analyzer.Images.Registry;

/// <summary>A network body whose every read must make progress within the timeout (stalled registries fail, not hang).</summary>
internal sealed class TimeoutReadStream : AsyncReadOnlyStream
{
    private readonly Stream _inner;
    private readonly TimeSpan _timeout;
    private readonly string _what;
    private readonly IDisposable? _owner;

    public TimeoutReadStream(Stream inner, TimeSpan timeout, string what, IDisposable? owner)
    {
        _inner = inner;
        _timeout = timeout;
        _what = what;
        _owner = owner;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            return await _inner.ReadAsync(buffer, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RegistryException($"{_what}: no data for {_timeout.TotalSeconds:0.#} s (stalled)", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new RegistryException($"{_what}: connection failed while reading ({ex.Message})", ex);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            _owner?.Dispose();
        }
        base.Dispose(disposing);
    }
}
