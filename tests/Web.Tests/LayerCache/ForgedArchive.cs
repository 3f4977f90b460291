using System.Formats.Tar;
using System.Text.Json;
using System.Text.Json.Nodes;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Web.Tests.LayerCache;

/// <summary>How a forged upload's layer differs from the layer its manifest and config name.</summary>
public enum LayerForgery
{
    /// <summary>
    /// Other bytes of exactly the named size under the named digest (the size is in the manifest, no secret either),
    /// so nothing but the bytes themselves tells the forgery from the layer.
    /// </summary>
    OtherBytes,

    /// <summary>The layer file is not in the archive at all.</summary>
    Missing,

    /// <summary>The first half of the real layer only.</summary>
    Truncated,
}

/// <summary>
/// Image archives as uploads carry them, written from first principles: the Docker 25+ docker-archive (an OCI layout
/// with manifest.json naming blobs/sha256/…) and the classic one (&lt;id&gt;/layer.tar, uncompressed), either genuine
/// or forged: manifest and config exactly the genuine image's (every digest and diff_id), the first layer's bytes
/// not (only one layer is forged, so a failing analysis fails for one reason, the same in every run).
/// </summary>
public static class ForgedArchive
{
    public static byte[] DockerArchive(SyntheticImage image, LayerForgery? forgery = null)
    {
        var (blobs, manifestDigest, manifest) = image.Blobs();
        var node = JsonNode.Parse(manifest)!;
        var layerDigests = node["layers"]!.AsArray().Select(l => l!["digest"]!.GetValue<string>()).ToList();
        var configDigest = node["config"]!["digest"]!.GetValue<string>();
        using var output = new MemoryStream();
        using (var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (digest, bytes) in blobs)
            {
                var content = digest == layerDigests[0] && forgery is { } how ? Forge(bytes, how) : bytes;
                if (content is not null)
                {
                    SyntheticImage.Add(tar, "blobs/sha256/" + digest[7..], content);
                }
            }
            SyntheticImage.Add(tar, "oci-layout", """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray());
            var index = new JsonObject { ["schemaVersion"] = 2, ["manifests"] = new JsonArray(image.ManifestDescriptor(manifestDigest, manifest.Length, "example/app:1", false)) };
            SyntheticImage.Add(tar, "index.json", JsonSerializer.SerializeToUtf8Bytes(index));
            var layers = new JsonArray([.. layerDigests.Select(d => (JsonNode)("blobs/sha256/" + d[7..]))]);
            SyntheticImage.Add(tar, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(new JsonArray(new JsonObject
            {
                ["Config"] = "blobs/sha256/" + configDigest[7..],
                ["RepoTags"] = new JsonArray("example/app:1"),
                ["Layers"] = layers,
            })));
        }
        return output.ToArray();
    }

    /// <summary>The classic shape: layers uncompressed at &lt;diff_id hex&gt;/layer.tar, so no blob digest is written anywhere.</summary>
    public static byte[] ClassicDockerArchive(SyntheticImage image, LayerForgery? forgery = null)
    {
        var config = image.ConfigJson();
        var configName = SyntheticImage.Sha256(config)[7..] + ".json";
        using var output = new MemoryStream();
        using (var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            var paths = new JsonArray();
            foreach (var layer in image.LayerTars)
            {
                var id = SyntheticImage.Sha256(layer)[7..];
                paths.Add(id + "/layer.tar");
                var content = paths.Count == 1 && forgery is { } how ? Forge(layer, how) : layer;
                if (content is not null)
                {
                    SyntheticImage.Add(tar, id + "/layer.tar", content);
                }
            }
            SyntheticImage.Add(tar, configName, config);
            SyntheticImage.Add(tar, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(new JsonArray(new JsonObject
            {
                ["Config"] = configName,
                ["RepoTags"] = new JsonArray("example/app:1"),
                ["Layers"] = paths,
            })));
        }
        return output.ToArray();
    }

    private static byte[]? Forge(byte[] genuine, LayerForgery how) => how switch
    {
        LayerForgery.OtherBytes => new byte[genuine.Length],
        LayerForgery.Missing => null,
        LayerForgery.Truncated => genuine[..(genuine.Length / 2)],
        _ => throw new ArgumentOutOfRangeException(nameof(how)),
    };
}
