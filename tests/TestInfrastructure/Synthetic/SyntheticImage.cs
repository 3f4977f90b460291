using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LayerLens.TestInfrastructure.Synthetic;

public enum LayerCompression
{
    None,
    Gzip,
    Zstd,
}

/// <summary>
/// Packages layer tars into every image format from first principles: config with diff_ids and
/// history, manifests, indexes, blobs — as docker-archive (classic and Docker 25+), OCI layout
/// directory and oci-archive.
/// </summary>
public sealed class SyntheticImage
{
    public SyntheticImage(params byte[][] layers)
    {
        LayerTars = layers;
    }

    public IReadOnlyList<byte[]> LayerTars { get; }
    public LayerCompression Compression { get; init; } = LayerCompression.Gzip;
    public string Os { get; init; } = "linux";
    public string Architecture { get; init; } = "amd64";
    public string? Variant { get; init; }

    /// <summary>created_by per history entry; null entries stand for empty layers (ENV, CMD...).</summary>
    public IReadOnlyList<(string CreatedBy, bool Empty)>? History { get; init; }

    public JsonObject? RuntimeConfig { get; init; }

    public static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    public byte[] Compress(byte[] tar)
    {
        switch (Compression)
        {
            case LayerCompression.Gzip:
                var ms = new MemoryStream();
                using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
                {
                    gz.Write(tar);
                }
                return ms.ToArray();
            case LayerCompression.Zstd:
                using (var z = new ZstdSharp.Compressor(3))
                {
                    return z.Wrap(tar).ToArray();
                }
            default:
                return tar;
        }
    }

    public byte[] ConfigJson()
    {
        var history = new JsonArray();
        var entries = History ?? LayerTars.Select((_, i) => ($"layer {i}", false)).ToList();
        foreach (var (createdBy, empty) in entries)
        {
            var h = new JsonObject { ["created"] = "2024-01-01T00:00:00Z", ["created_by"] = createdBy };
            if (empty)
            {
                h["empty_layer"] = true;
            }
            history.Add(h);
        }
        var config = new JsonObject
        {
            ["architecture"] = Architecture,
            ["os"] = Os,
            ["config"] = RuntimeConfig?.DeepClone() ?? new JsonObject { ["Env"] = new JsonArray("PATH=/usr/bin") },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(LayerTars.Select(l => (JsonNode)Sha256(l)).ToArray()) },
            ["history"] = history,
        };
        if (Variant is not null)
        {
            config["variant"] = Variant;
        }
        return JsonSerializer.SerializeToUtf8Bytes(config);
    }

    private string LayerMediaType => Compression switch
    {
        LayerCompression.Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
        LayerCompression.Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        _ => "application/vnd.oci.image.layer.v1.tar",
    };

    /// <summary>All blobs by digest, and the manifest's digest.</summary>
    public (Dictionary<string, byte[]> Blobs, string ManifestDigest, byte[] Manifest) Blobs(Func<byte[], byte[]>? tamperLayer = null)
    {
        var blobs = new Dictionary<string, byte[]>();
        var config = ConfigJson();
        var configDigest = Sha256(config);
        blobs[configDigest] = config;
        var layerDescriptors = new JsonArray();
        foreach (var tar in LayerTars)
        {
            var blob = Compress(tar);
            var digest = Sha256(blob);
            blobs[digest] = tamperLayer?.Invoke(blob) ?? blob;
            layerDescriptors.Add(new JsonObject { ["mediaType"] = LayerMediaType, ["digest"] = digest, ["size"] = blob.Length });
        }
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = configDigest, ["size"] = config.Length },
            ["layers"] = layerDescriptors,
        });
        var manifestDigest = Sha256(manifest);
        blobs[manifestDigest] = manifest;
        return (blobs, manifestDigest, manifest);
    }

    public JsonObject ManifestDescriptor(string digest, int size, string? tag, bool withPlatform)
    {
        var d = new JsonObject { ["mediaType"] = "application/vnd.oci.image.manifest.v1+json", ["digest"] = digest, ["size"] = size };
        if (tag is not null)
        {
            d["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = tag };
        }
        if (withPlatform)
        {
            var p = new JsonObject { ["os"] = Os, ["architecture"] = Architecture };
            if (Variant is not null)
            {
                p["variant"] = Variant;
            }
            d["platform"] = p;
        }
        return d;
    }

    public void WriteOciLayout(string dir, string? tag = "latest")
    {
        var (blobs, manifestDigest, manifest) = Blobs();
        WriteLayout(dir, blobs, [ManifestDescriptor(manifestDigest, manifest.Length, tag, withPlatform: false)]);
    }

    public static void WriteLayout(string dir, Dictionary<string, byte[]> blobs, IEnumerable<JsonObject> manifests)
    {
        Directory.CreateDirectory(Path.Combine(dir, "blobs", "sha256"));
        foreach (var (digest, bytes) in blobs)
        {
            File.WriteAllBytes(Path.Combine(dir, "blobs", "sha256", digest[7..]), bytes);
        }
        File.WriteAllText(Path.Combine(dir, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        var index = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.index.v1+json", ["manifests"] = new JsonArray(manifests.Select(m => (JsonNode)m).ToArray()) };
        File.WriteAllText(Path.Combine(dir, "index.json"), index.ToJsonString());
    }

    public void WriteOciArchive(string path, Func<byte[], byte[]>? tamperLayer = null)
    {
        var (blobs, manifestDigest, manifest) = Blobs(tamperLayer);
        var index = new JsonObject { ["schemaVersion"] = 2, ["manifests"] = new JsonArray(ManifestDescriptor(manifestDigest, manifest.Length, "latest", false)) };
        using var tar = new TarWriter(File.Create(path), TarEntryFormat.Pax);
        Add(tar, "oci-layout", """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray());
        Add(tar, "index.json", JsonSerializer.SerializeToUtf8Bytes(index));
        foreach (var (digest, bytes) in blobs)
        {
            Add(tar, "blobs/sha256/" + digest[7..], bytes);
        }
    }

    /// <summary>The classic <c>docker save</c> shape: <c>&lt;id&gt;/layer.tar</c> (uncompressed) and <c>&lt;config hex&gt;.json</c>.</summary>
    public void WriteDockerArchiveClassic(string path, string repoTag = "example/app:latest")
    {
        var config = ConfigJson();
        var configName = Sha256(config)[7..] + ".json";
        using var tar = new TarWriter(File.Create(path), TarEntryFormat.Ustar);
        var layerPaths = new JsonArray();
        // Entries deliberately not in layer order: the order must come from manifest.json.
        for (var i = LayerTars.Count - 1; i >= 0; i--)
        {
            var id = Sha256(LayerTars[i])[7..];
            Add(tar, id + "/VERSION", "1.0"u8.ToArray());
            Add(tar, id + "/json", "{}"u8.ToArray());
            Add(tar, id + "/layer.tar", LayerTars[i]);
        }
        foreach (var layer in LayerTars)
        {
            layerPaths.Add(Sha256(layer)[7..] + "/layer.tar");
        }
        Add(tar, configName, config);
        var manifest = new JsonArray(new JsonObject { ["Config"] = configName, ["RepoTags"] = new JsonArray(repoTag), ["Layers"] = layerPaths });
        Add(tar, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(manifest));
    }

    /// <summary>
    /// The Docker 25+ shape: an OCI layout in the tar, with manifest.json pointing into blobs/. Docker names the image
    /// the same in both; <paramref name="refName"/> may differ from <paramref name="repoTag"/> to tell which was read.
    /// </summary>
    public void WriteDockerArchiveOci(string path, string repoTag = "example/app:latest", string refName = "example/app:latest")
    {
        var (blobs, manifestDigest, manifest) = Blobs();
        var manifestNode = JsonNode.Parse(manifest)!;
        var configPath = "blobs/sha256/" + manifestNode["config"]!["digest"]!.GetValue<string>()[7..];
        var layers = new JsonArray(manifestNode["layers"]!.AsArray().Select(l => (JsonNode)("blobs/sha256/" + l!["digest"]!.GetValue<string>()[7..])).ToArray());
        using var tar = new TarWriter(File.Create(path), TarEntryFormat.Pax);
        foreach (var (digest, bytes) in blobs)
        {
            Add(tar, "blobs/sha256/" + digest[7..], bytes);
        }
        Add(tar, "oci-layout", """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray());
        var index = new JsonObject { ["schemaVersion"] = 2, ["manifests"] = new JsonArray(ManifestDescriptor(manifestDigest, manifest.Length, refName, false)) };
        Add(tar, "index.json", JsonSerializer.SerializeToUtf8Bytes(index));
        Add(tar, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(new JsonArray(new JsonObject { ["Config"] = configPath, ["RepoTags"] = new JsonArray(repoTag), ["Layers"] = layers })));
    }

    public static void Add(TarWriter tar, string name, byte[] content)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) };
        tar.WriteEntry(entry);
    }
}
