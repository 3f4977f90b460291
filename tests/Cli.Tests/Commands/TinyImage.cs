using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace LayerLens.Cli.Tests.Commands;

/// <summary>
/// A two-layer OCI layout written from first principles.
/// Layer 0: a (1000 random bytes), b (the same bytes). Layer 1: deletes a, adds c (500 bytes).
/// sizeBytes 2500, finalBytes 1500 (b + c), wasted 1000, efficiency 0.6, user wasted ratio 1000/500 = 2.
/// </summary>
public static class TinyImage
{
    /// <param name="history">The config's history entries (default: one per layer, without timestamps).</param>
    /// <param name="copies">Adds copy-0.tmp … to layer 0: one byte each, equal content, mode and mtime (junk by name, and duplicates).</param>
    public static void Write(string dir, string? extraEntry = null, JsonArray? history = null, int copies = 0)
    {
        var a = Bytes(1000, 1);
        var layer0 = Tar(t =>
        {
            File(t, "a", a);
            File(t, "b", a);
            if (extraEntry is not null)
            {
                File(t, extraEntry, [1]);
            }
            for (var i = 0; i < copies; i++)
            {
                t.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"copy-{i}.tmp")
                {
                    DataStream = new MemoryStream([7]),
                    ModificationTime = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero),
                });
            }
        });
        var layer1 = Tar(t =>
        {
            File(t, ".wh.a", []);
            File(t, "c", Bytes(500, 2));
        });
        var blobs = new Dictionary<string, byte[]>();
        var layers = new JsonArray();
        var diffIds = new JsonArray();
        foreach (var tar in new[] { layer0, layer1 })
        {
            var gz = Gzip(tar);
            blobs[Sha(gz)] = gz;
            layers.Add(new JsonObject { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip", ["digest"] = Sha(gz), ["size"] = gz.Length });
            diffIds.Add(Sha(tar));
        }
        var config = System.Text.Encoding.UTF8.GetBytes(new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = new JsonObject { ["Env"] = new JsonArray("PATH=/bin") },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = diffIds },
            ["history"] = history ?? new JsonArray(
                new JsonObject { ["created_by"] = "COPY a b /" },
                new JsonObject { ["created_by"] = "RUN rm a && make c" }),
        }.ToJsonString());
        blobs[Sha(config)] = config;
        var manifest = System.Text.Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = Sha(config), ["size"] = config.Length },
            ["layers"] = layers,
        }.ToJsonString());
        blobs[Sha(manifest)] = manifest;
        Directory.CreateDirectory(Path.Combine(dir, "blobs", "sha256"));
        foreach (var (digest, bytes) in blobs)
        {
            System.IO.File.WriteAllBytes(Path.Combine(dir, "blobs", "sha256", digest[7..]), bytes);
        }
        System.IO.File.WriteAllText(Path.Combine(dir, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        System.IO.File.WriteAllText(Path.Combine(dir, "index.json"), new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.oci.image.manifest.v1+json", ["digest"] = Sha(manifest), ["size"] = manifest.Length }),
        }.ToJsonString());
    }

    private static byte[] Bytes(int size, int seed)
    {
        var b = new byte[size];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static byte[] Tar(Action<TarWriter> write)
    {
        var ms = new MemoryStream();
        using (var t = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            write(t);
        }
        return ms.ToArray();
    }

    private static void File(TarWriter t, string name, byte[] content) =>
        t.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });

    private static byte[] Gzip(byte[] data)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(data);
        }
        return ms.ToArray();
    }

    private static string Sha(byte[] b) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(b));
}
