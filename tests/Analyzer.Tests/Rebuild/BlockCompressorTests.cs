using System.IO.Compression;
using System.Security.Cryptography;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Rebuild;

namespace LayerLens.Analyzer.Tests.Rebuild;

/// <summary>
/// The parallel block compressor of rewritten layers: what it writes decodes to what it was given (with the
/// engine's decoders and with independent ones), and the bytes do not depend on how many threads compressed
/// them or on how the input was cut into writes — the determinism rebuild digests rest on.
/// </summary>
public class BlockCompressorTests
{
    // Compressible but not trivial: text-like runs mixed with random bytes, over several blocks and a partial one.
    private static byte[] Input(int length)
    {
        var data = new byte[length];
        var random = new Random(15);
        for (var i = 0; i < length; i += 4096)
        {
            var chunk = data.AsSpan(i, Math.Min(4096, length - i));
            if (i / 4096 % 3 == 0)
            {
                random.NextBytes(chunk);
            }
            else
            {
                for (var j = 0; j < chunk.Length; j++)
                {
                    chunk[j] = (byte)("layerlens rebuild "[j % 18] + i / 4096 % 7);
                }
            }
        }
        return data;
    }

    private static byte[] Compress(byte[] input, RebuildCompression compression, int workers, int writeSize)
    {
        var output = new MemoryStream();
        using (var compressor = new BlockCompressor(output, compression, workers))
        {
            for (var i = 0; i < input.Length; i += writeSize)
            {
                compressor.Write(input.AsSpan(i, Math.Min(writeSize, input.Length - i)));
            }
            compressor.Finish();
            Assert.Equal(input.Length, compressor.Length);
        }
        return output.ToArray();
    }

    private static byte[] ReadAll(Stream stream)
    {
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    [Theory]
    [InlineData(RebuildCompression.Gzip)]
    [InlineData(RebuildCompression.Zstd)]
    public void Several_blocks_decode_to_the_input_with_the_engines_and_independent_decoders(RebuildCompression compression)
    {
        var input = Input(BlockCompressor.BlockSize * 3 + 12_345);
        var compressed = Compress(input, compression, workers: 3, writeSize: 65_536);

        using (var engine = Compression.OpenDecoded(new MemoryStream(compressed), out var kind))
        {
            Assert.Equal(compression == RebuildCompression.Gzip ? CompressionKind.Gzip : CompressionKind.Zstd, kind);
            Assert.Equal(SHA256.HashData(input), SHA256.HashData(ReadAll(engine)));
        }
        using Stream independent = compression == RebuildCompression.Gzip
            ? new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress)
            : new ZstdSharp.DecompressionStream(new MemoryStream(compressed));
        Assert.Equal(SHA256.HashData(input), SHA256.HashData(ReadAll(independent)));
        Assert.True(compressed.Length < input.Length * 0.8, $"{compressed.Length} bytes for {input.Length}");
    }

    [Theory]
    [InlineData(RebuildCompression.Gzip)]
    [InlineData(RebuildCompression.Zstd)]
    public void The_bytes_do_not_depend_on_the_thread_count_or_the_write_sizes(RebuildCompression compression)
    {
        var input = Input(BlockCompressor.BlockSize * 5 + 777);
        var one = Compress(input, compression, workers: 1, writeSize: input.Length);
        var many = Compress(input, compression, workers: 6, writeSize: 1_000);
        var odd = Compress(input, compression, workers: 2, writeSize: 512 * 1024 + 3);
        Assert.Equal(SHA256.HashData(one), SHA256.HashData(many));
        Assert.Equal(SHA256.HashData(one), SHA256.HashData(odd));
    }

    [Theory]
    [InlineData(RebuildCompression.Gzip)]
    [InlineData(RebuildCompression.Zstd)]
    public void Empty_input_is_still_a_valid_stream(RebuildCompression compression)
    {
        var compressed = Compress([], compression, workers: 2, writeSize: 1);
        Assert.NotEmpty(compressed);
        using var engine = Compression.OpenDecoded(new MemoryStream(compressed), out _);
        Assert.Empty(ReadAll(engine));
    }
}
