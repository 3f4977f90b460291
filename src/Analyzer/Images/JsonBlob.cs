using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Images;

/// <summary>Reads small JSON documents (manifests, indexes, configs) with a size cap and digest check.</summary>
public static class JsonBlob
{
    /// <summary>Reads at most <see cref="AnalysisLimits.MaxJsonBytes"/> bytes; verifies <paramref name="digest"/> when given.</summary>
    public static byte[] ReadBytes(Stream stream, string what, string? digest, AnalysisLimits limits)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + n > limits.MaxJsonBytes)
            {
                throw new InvalidImageException($"{what}: larger than the {limits.MaxJsonBytes}-byte limit for JSON documents");
            }
            buffer.Write(chunk, 0, n);
        }
        var bytes = buffer.ToArray();
        if (digest is not null)
        {
            VerifyDigest(bytes, digest, what);
        }
        return bytes;
    }

    public static void VerifyDigest(ReadOnlySpan<byte> bytes, string digest, string what)
    {
        var expected = Digests.ParseSha256(digest, what);
        Span<byte> actual = stackalloc byte[32];
        SHA256.HashData(bytes, actual);
        if (!actual.SequenceEqual(expected))
        {
            throw new InvalidImageException($"{what}: digest mismatch, expected {digest} but content is sha256:{Convert.ToHexStringLower(actual)}");
        }
    }

    public static T Parse<T>(byte[] bytes, string what)
    {
        try
        {
            var info = ImageJsonContext.Default.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
                ?? throw new ArgumentException($"{typeof(T)} is not an image document type", nameof(T));
            return JsonSerializer.Deserialize(bytes, info)
                ?? throw new InvalidImageException($"{what}: empty JSON document");
        }
        catch (JsonException ex)
        {
            throw new InvalidImageException($"{what}: malformed JSON ({ex.Message})", ex);
        }
    }

    public static T Read<T>(IImageFiles files, string path, string? digest, AnalysisLimits limits)
    {
        var what = digest is null ? $"{files.Name}: {path}" : $"{files.Name}: blob {digest}";
        using var stream = files.Open(path);
        return Parse<T>(ReadBytes(stream, what, digest, limits), what);
    }
}
