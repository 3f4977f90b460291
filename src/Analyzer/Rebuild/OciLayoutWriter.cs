using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Rebuild;

/// <summary>Writes blobs, the manifest, index.json and oci-layout of an OCI image layout directory.</summary>
internal static class OciLayoutWriter
{
    public const string LayerTar = "application/vnd.oci.image.layer.v1.tar";
    public const string LayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string LayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    public const string ConfigType = "application/vnd.oci.image.config.v1+json";
    public const string ManifestType = "application/vnd.oci.image.manifest.v1+json";
    public const string IndexType = "application/vnd.oci.image.index.v1+json";
    public const string RefName = "org.opencontainers.image.ref.name";

    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string BlobsDir(string layout) => Path.Combine(layout, "blobs", "sha256");

    /// <summary>Copies a kept layer blob as it is (same digest), verifying the digest the source claims.</summary>
    public static async Task<WrittenBlob> CopyKeptAsync(LayerBlob layer, string layout, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(BlobsDir(layout), ".kept");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var head = new byte[4];
        var headLength = 0;
        long size;
        await using (var raw = await layer.Open(cancellationToken))
        await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            var sink = new HashingWriteStream(file, hash);
            var buffer = new byte[1 << 16];
            int n;
            while ((n = await raw.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (headLength < head.Length)
                {
                    var take = Math.Min(n, head.Length - headLength);
                    buffer.AsSpan(0, take).CopyTo(head.AsSpan(headLength));
                    headLength += take;
                }
                sink.Write(buffer.AsSpan(0, n));
            }
            size = sink.Length;
        }
        var digest = "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
        if (layer.Digest is { } claimed && claimed != digest)
        {
            throw new InvalidImageException($"{layer.Describe()}: digest mismatch, content is {digest}");
        }
        File.Move(temp, Path.Combine(BlobsDir(layout), digest["sha256:".Length..]), overwrite: true);
        var mediaType = Compression.Sniff(head.AsSpan(0, headLength)) switch
        {
            CompressionKind.Gzip => LayerGzip,
            CompressionKind.Zstd => LayerZstd,
            _ => LayerTar,
        };
        return new WrittenBlob(mediaType, digest, size, layer.DiffId, -1);
    }

    public static WrittenBlob WriteJson(string layout, JsonNode node, string mediaType)
    {
        var bytes = Encoding.UTF8.GetBytes(node.ToJsonString(Json));
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        File.WriteAllBytes(Path.Combine(BlobsDir(layout), digest["sha256:".Length..]), bytes);
        return new WrittenBlob(mediaType, digest, bytes.Length, null, -1);
    }

    /// <summary>The manifest naming the config and the layers, then index.json (one manifest, tagged) and oci-layout.</summary>
    public static WrittenBlob Finish(string layout, WrittenBlob config, IReadOnlyList<WrittenBlob> layers, string tag)
    {
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = ManifestType,
            ["config"] = Descriptor(config),
            ["layers"] = new JsonArray(layers.Select(l => (JsonNode)Descriptor(l)).ToArray()),
        };
        var written = WriteJson(layout, manifest, ManifestType);
        var entry = Descriptor(written);
        entry["annotations"] = new JsonObject { [RefName] = tag };
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = IndexType,
            ["manifests"] = new JsonArray(entry),
        };
        File.WriteAllText(Path.Combine(layout, "index.json"), index.ToJsonString(Json));
        File.WriteAllText(Path.Combine(layout, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return written;
    }

    /// <summary>manifest.json of a docker-archive in Docker 25's shape: the OCI layout plus this file naming the same blobs.</summary>
    public static void WriteDockerManifest(string layout, WrittenBlob config, IReadOnlyList<WrittenBlob> layers, string name)
    {
        static string PathOf(WrittenBlob b) => "blobs/sha256/" + b.Digest["sha256:".Length..];
        var entry = new JsonObject
        {
            ["Config"] = PathOf(config),
            ["RepoTags"] = name.Length == 0 ? new JsonArray() : new JsonArray(name),
            ["Layers"] = new JsonArray(layers.Select(l => (JsonNode)PathOf(l)).ToArray()),
        };
        File.WriteAllText(Path.Combine(layout, "manifest.json"), new JsonArray(entry).ToJsonString(Json));
    }

    private static JsonObject Descriptor(WrittenBlob blob) => new()
    {
        ["mediaType"] = blob.MediaType,
        ["digest"] = blob.Digest,
        ["size"] = blob.Size,
    };
}
