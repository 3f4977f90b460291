using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Tests.Blobs;

/// <summary>
/// What the tests comparing a native decoder with its managed fallback (ISA-L/GZipStream, libzstd/ZstdSharp) do
/// alike. <c>useFallback</c> flips the engine's switch for the fallback; the engine picks a decoder when it opens.
/// </summary>
internal static class DecoderPair
{
    public static Stream Open(byte[] blob, Action<bool> useFallback, bool fallback)
    {
        useFallback(fallback);
        try
        {
            return Compression.OpenDecoded(new MemoryStream(blob), out _);
        }
        finally
        {
            useFallback(false);
        }
    }

    /// <summary>Everything the stream gives, read <paramref name="chunk"/> bytes at a time; its errors propagate.</summary>
    public static byte[] ReadInChunks(Stream stream, int chunk)
    {
        var output = new MemoryStream();
        var buffer = new byte[chunk];
        int n;
        while ((n = stream.Read(buffer, 0, chunk)) > 0)
        {
            output.Write(buffer, 0, n);
        }
        return output.ToArray();
    }

    /// <summary>
    /// Every single-bit flip of <paramref name="blob"/> through both decoders: every refusal names the layer, at
    /// least three quarters of the flips are refused, and the two verdicts differ for at most one flip in 200.
    /// </summary>
    public static void AssertEveryBitFlipIsRefusedAlike(byte[] blob, byte[] content, Action<bool> useFallback, string fallbackName, string nativeName)
    {
        var prefix = "InvalidImageException: layer 2 (blob sha256:";
        var refused = 0;
        var differ = new List<string>();
        for (var bit = 0; bit < blob.Length * 8; bit++)
        {
            var flipped = (byte[])blob.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            var fallback = LayerRefusal.Of(flipped, content, useFallback, true);
            var native = LayerRefusal.Of(flipped, content, useFallback, false);
            Assert.True(fallback is null || fallback.StartsWith(prefix, StringComparison.Ordinal), fallback);
            Assert.True(native is null || native.StartsWith(prefix, StringComparison.Ordinal), native);
            refused += fallback is null ? 0 : 1;
            if (fallback != native)
            {
                differ.Add($"bit {bit}: {fallbackName} {fallback ?? "accepts"} / {nativeName} {native ?? "accepts"}");
            }
        }
        // Header fields such as gzip's mtime and OS are unchecked; the compressed data and trailer are.
        Assert.True(refused > blob.Length * 8 * 3 / 4, $"{refused} of {blob.Length * 8} flips refused");
        Assert.True(differ.Count <= blob.Length * 8 / 200, string.Join("\n", differ));
    }
}
