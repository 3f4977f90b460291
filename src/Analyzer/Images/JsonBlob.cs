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
            var document = JsonSerializer.Deserialize(bytes, info)
                ?? throw new InvalidImageException($"{what}: empty JSON document");
            RefuseNulls(document, what);
            return document;
        }
        catch (JsonException ex)
        {
            throw new InvalidImageException($"{what}: malformed JSON ({ex.Message})", ex);
        }
    }

    /// <summary>
    /// A JSON <c>null</c> where a descriptor, history entry or string belongs is bad input, refused here for every
    /// reader rather than tripped over later (ImageReaderFuzzTests found such nulls crashing the readers). A docker
    /// manifest.json's nulls are named per image by DockerArchiveReader.
    /// </summary>
    private static void RefuseNulls(object document, string what)
    {
        switch (document)
        {
            case ImageIndex index:
                Refuse(index.Manifests, what, "manifests");
                break;
            case ImageManifest manifest:
                Refuse(manifest.Layers, what, "layers");
                Refuse(manifest.Manifests, what, "manifests");
                break;
            case ImageConfigFile config:
                Refuse(config.History, what, "history");
                Refuse(config.RootFs?.DiffIds, what, "rootfs.diff_ids");
                Refuse(config.Config?.Env, what, "config.Env");
                Refuse(config.Config?.Entrypoint, what, "config.Entrypoint");
                Refuse(config.Config?.Cmd, what, "config.Cmd");
                if (config.Config?.Labels?.FirstOrDefault(l => l.Value is null) is { Key: { } label })
                {
                    throw new InvalidImageException($"{what}: config.Labels[\"{label}\"] is null");
                }
                break;
        }
    }

    private static void Refuse<T>(List<T>? list, string what, string field)
    {
        var index = list?.FindIndex(item => item is null) ?? -1;
        if (index >= 0)
        {
            throw new InvalidImageException($"{what}: {field}[{index}] is null");
        }
    }

    public static T Read<T>(IImageFiles files, string path, string? digest, AnalysisLimits limits) =>
        Parse<T>(ReadBytes(files, path, digest, limits), Describe(files, path, digest));

    public static byte[] ReadBytes(IImageFiles files, string path, string? digest, AnalysisLimits limits)
    {
        using var stream = files.Open(path);
        return ReadBytes(stream, Describe(files, path, digest), digest, limits);
    }

    public static string Describe(IImageFiles files, string path, string? digest) =>
        digest is null ? $"{files.Name}: {path}" : $"{files.Name}: blob {digest}";
}
