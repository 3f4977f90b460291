using System.IO.Compression;

namespace LayerLens.Analyzer.Blobs;

public enum CompressionKind
{
    None,
    Gzip,
    Zstd,
}

/// <summary>Detects compression from the first bytes of a blob (media types lie) and opens a decoder.</summary>
public static class Compression
{
    public static CompressionKind Sniff(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        {
            return CompressionKind.Gzip;
        }
        if (head.Length >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd)
        {
            return CompressionKind.Zstd;
        }
        return CompressionKind.None;
    }

    /// <summary>
    /// Reads the first bytes of <paramref name="raw"/>, detects its compression and returns the decoded stream.
    /// When the blob is compressed, <paramref name="beforeDecoder"/> may wrap what the decoder reads
    /// (a read-ahead stage, so reading and hashing the blob run beside the decoder, not in its way).
    /// </summary>
    public static Stream OpenDecoded(Stream raw, out CompressionKind kind, Func<Stream, Stream>? beforeDecoder = null)
    {
        var head = new byte[4];
        var got = raw.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        kind = Sniff(head.AsSpan(0, got));
        var source = kind != CompressionKind.None && beforeDecoder is not null ? beforeDecoder(raw) : raw;
        var replayed = new PrefixedStream(head.AsMemory(0, got), source);
        return kind switch
        {
            CompressionKind.Gzip => IsalInflate.Available
                ? new IsalGzipStream(replayed)
                : new GZipStream(replayed, CompressionMode.Decompress, leaveOpen: false),
            CompressionKind.Zstd => NativeZstd.Available
                ? new NativeZstdStream(replayed)
                : new ZstdSharp.DecompressionStream(replayed, leaveOpen: false),
            _ => replayed,
        };
    }
}
