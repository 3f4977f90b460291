using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace LayerLens.Analyzer.Benchmarks;

/// <summary>
/// Writes an OCI layout whose first layer holds <c>files</c> small files (1,000 per directory unless told) and whose
/// second layer deletes one directory and rewrites 1,000 files, so the merge and waste paths run too.
/// </summary>
internal static class SyntheticImage
{
    public static async Task<int> WriteAsync(string layout, int files, int filesPerDirectory = 1000)
    {
        Directory.CreateDirectory(Path.Combine(layout, "blobs", "sha256"));
        var first = WriteLayer(layout, tar =>
        {
            for (var i = 0; i < files; i++)
            {
                var dir = i / filesPerDirectory;
                if (i % filesPerDirectory == 0)
                {
                    tar.WriteEntry(new UstarTarEntry(TarEntryType.Directory, $"data/d{dir:D5}/"));
                }

                AddFile(tar, $"data/d{dir:D5}/f{i % filesPerDirectory:D4}.txt", $"file {i}\n");
            }
        });
        var second = WriteLayer(layout, tar =>
        {
            tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "data/.wh.d00000") { DataStream = new MemoryStream() });
            for (var i = 0; i < Math.Min(files, 2 * filesPerDirectory) - filesPerDirectory; i++)
            {
                AddFile(tar, $"data/d00001/f{i:D4}.txt", $"rewritten {i}\n");
            }
        });

        var config = JsonSerializer.SerializeToUtf8Bytes(new
        {
            architecture = "amd64",
            os = "linux",
            config = new { Cmd = new[] { "/bin/sh" } },
            rootfs = new { type = "layers", diff_ids = new[] { first.DiffId, second.DiffId } },
            history = new[] { new { created_by = $"synthetic: {files} files" }, new { created_by = "synthetic: delete d00000, rewrite d00001" } },
        });
        var configDigest = WriteBlob(layout, config);
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = "application/vnd.oci.image.manifest.v1+json",
            config = new { mediaType = "application/vnd.oci.image.config.v1+json", digest = configDigest, size = config.Length },
            layers = new[] { first, second }.Select(l => new { mediaType = "application/vnd.oci.image.layer.v1.tar+gzip", digest = l.Digest, size = l.Size }),
        });
        var manifestDigest = WriteBlob(layout, manifest);
        await File.WriteAllTextAsync(Path.Combine(layout, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        await File.WriteAllBytesAsync(Path.Combine(layout, "index.json"), JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            manifests = new[] { new { mediaType = "application/vnd.oci.image.manifest.v1+json", digest = manifestDigest, size = manifest.Length } },
        }));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{files} files written to {layout}"));
        return 0;
    }

    private static void AddFile(TarWriter tar, string path, string content) =>
        tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, path) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });

    private sealed record Layer(string Digest, long Size, string DiffId);

    private static Layer WriteLayer(string layout, Action<TarWriter> write)
    {
        var temp = Path.Combine(layout, "blobs", "layer.partial");
        string diffId;
        string digest;
        using (var file = File.Create(temp))
        using (var compressed = new HashingWriteStream(file))
        {
            using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            using (var uncompressed = new HashingWriteStream(gzip))
            {
                using (var tar = new TarWriter(uncompressed, TarEntryFormat.Ustar, leaveOpen: true))
                {
                    write(tar);
                }

                diffId = uncompressed.Digest();
            }

            digest = compressed.Digest();
        }

        var size = new FileInfo(temp).Length;
        File.Move(temp, OciLayout.BlobPath(layout, digest), overwrite: true);
        return new Layer(digest, size, diffId);
    }

    private static string WriteBlob(string layout, byte[] content)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
        File.WriteAllBytes(OciLayout.BlobPath(layout, digest), content);
        return digest;
    }
}
