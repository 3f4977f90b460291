using System.Collections.Concurrent;
using System.IO.Compression;

namespace LayerLens.Analyzer.Rebuild;

/// <summary>
/// A write-only stream that compresses what it is given in fixed-size blocks on several threads and writes
/// the compressed blocks to its sink in order: each block becomes one gzip member or one zstd frame, and a
/// sequence of those is a valid gzip or zstd stream (eStargz layers are multi-member gzip too; Go's,
/// containerd's, .NET's and this engine's readers all read on to the end). The output depends only on the
/// input bytes, the block size and the encoder, never on the thread count or timing: blocks are cut at fixed
/// offsets and written in input order, so rebuilds stay deterministic.
/// <para>
/// Encoders are the ones every LayerLens build carries, so the same build gives the same digests on every
/// machine: gzip through .NET's bundled zlib-ng (System.IO.Compression.Native, part of the runtime) at a
/// fixed level, zstd through ZstdSharp (managed, shipped with LayerLens) at a fixed level, single-threaded
/// per frame. Libraries that may or may not be installed (ISA-L's deflate, Debian's libzstd) would make
/// digests depend on the machine, so they are not used for writing.
/// </para>
/// Memory is bounded: at most <c>2 × workers</c> blocks are in flight.
/// </summary>
internal sealed class BlockCompressor : Stream
{
    /// <summary>Large enough that the per-block restart costs well under 1 % of the ratio, small enough to keep memory low.</summary>
    public const int BlockSize = 2 << 20;

    /// <summary>zlib-ng level 2 (deflate_fast): several times the speed of the default level for a few percent more bytes.</summary>
    public const int GzipLevel = 2;

    /// <summary>zstd level 1: the fastest regular level; still smaller than gzip.</summary>
    public const int ZstdLevel = 1;

    // A gzip member of no data: header (no name, no time, OS unknown), an empty final fixed-Huffman block, CRC 0, size 0.
    private static readonly byte[] EmptyGzipMember = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private readonly Stream _sink;
    private readonly RebuildCompression _compression;
    private readonly Queue<Job> _inOrder = new();
    private readonly Stack<Job> _free = new();
    private readonly BlockingCollection<Job> _work = new();
    private readonly Thread[] _workers;
    private readonly int _maxInFlight;
    private Job _current = new();
    private long _length;
    private bool _finished;

    public BlockCompressor(Stream sink, RebuildCompression compression, int workers)
    {
        _sink = sink;
        _compression = compression;
        _maxInFlight = 2 * Math.Max(1, workers);
        _workers = new Thread[Math.Max(1, workers)];
        for (var i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(Work) { IsBackground = true, Name = $"layerlens-compress-{i}" };
            _workers[i].Start();
        }
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        while (buffer.Length > 0)
        {
            var take = Math.Min(buffer.Length, BlockSize - _current.Length);
            buffer[..take].CopyTo(_current.Input.AsSpan(_current.Length));
            _current.Length += take;
            _length += take;
            buffer = buffer[take..];
            if (_current.Length == BlockSize)
            {
                Submit();
            }
        }
    }

    /// <summary>Compresses the last partial block and writes every pending block to the sink.</summary>
    public void Finish()
    {
        if (_finished)
        {
            return;
        }
        if (_current.Length > 0 || _inOrder.Count == 0 && _length == 0)
        {
            Submit();
        }
        while (_inOrder.Count > 0)
        {
            WriteOldest();
        }
        _finished = true;
        _sink.Flush();
    }

    public override void Flush()
    {
    }

    private void Submit()
    {
        _current.Done.Reset();
        _inOrder.Enqueue(_current);
        _work.Add(_current);
        _current = _free.Count > 0 ? _free.Pop() : new Job();
        _current.Length = 0;
        while (_inOrder.Count >= _maxInFlight)
        {
            WriteOldest();
        }
    }

    private void WriteOldest()
    {
        var job = _inOrder.Dequeue();
        job.Done.Wait();
        if (job.Error is { } error)
        {
            throw new IOException($"compressing a layer block failed: {error.Message}", error);
        }
        _sink.Write(job.Output, 0, job.OutputLength);
        _free.Push(job);
    }

    private void Work()
    {
        foreach (var job in _work.GetConsumingEnumerable())
        {
            try
            {
                Compress(job);
            }
            catch (Exception ex)
            {
                job.Error = ex;
            }
            finally
            {
                job.Done.Set();
            }
        }
    }

    /// <summary>One block into one self-contained gzip member or zstd frame, in the job's own reused output buffer.</summary>
    private void Compress(Job job)
    {
        var input = job.Input.AsSpan(0, job.Length);
        if (_compression == RebuildCompression.Zstd)
        {
            using var zstd = new ZstdSharp.Compressor(ZstdLevel);
            job.Output = job.Output.Length >= ZstdSharp.Compressor.GetCompressBound(BlockSize)
                ? job.Output
                : new byte[ZstdSharp.Compressor.GetCompressBound(BlockSize)];
            job.OutputLength = zstd.Wrap(input, job.Output);
            return;
        }
        job.Memory.SetLength(0);
        if (input.IsEmpty)
        {
            job.Memory.Write(EmptyGzipMember); // GZipStream writes nothing when given nothing
        }
        else
        {
            using var gzip = new GZipStream(job.Memory, new ZLibCompressionOptions { CompressionLevel = GzipLevel }, leaveOpen: true);
            gzip.Write(input);
        }
        job.Output = job.Memory.GetBuffer();
        job.OutputLength = (int)job.Memory.Length;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _work.CompleteAdding();
            foreach (var worker in _workers)
            {
                worker.Join();
            }
            _work.Dispose();
            foreach (var job in _inOrder.Concat(_free).Append(_current))
            {
                job.Done.Dispose();
            }
        }
        base.Dispose(disposing);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>A block and its compressed form; recycled, so the stream allocates at most its in-flight blocks.</summary>
    private sealed class Job
    {
        public byte[] Input { get; } = new byte[BlockSize];
        public int Length { get; set; }
        public MemoryStream Memory { get; } = new(BlockSize + (BlockSize >> 6));
        public byte[] Output { get; set; } = [];
        public int OutputLength { get; set; }
        public Exception? Error { get; set; }
        public ManualResetEventSlim Done { get; } = new();
    }
}
