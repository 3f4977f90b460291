using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using ZstdSharp;

namespace LayerLens.TestInfrastructure.Tests.Images;

/// <summary>Reads what the factory wrote, independently of the engine, by the formats' own rules.</summary>
internal static class ArchiveReader
{
    /// <summary>The text of a regular file inside a layer tar (compression "gzip", "zstd" or "plain"), or null if absent.</summary>
    public static string? ReadFileFromLayer(Stream layer, string compression, string path)
    {
        using var tar = new TarReader(Decompress(layer, compression));
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.Name.TrimStart('.', '/') == path && entry.DataStream is { } data)
            {
                using var reader = new StreamReader(data, Encoding.UTF8);
                return reader.ReadToEnd();
            }
        }

        return null;
    }

    /// <summary>Peeks at a blob's first bytes: gzip 1f 8b, zstd 28 b5 2f fd, else plain tar.</summary>
    public static string Sniff(string blobPath)
    {
        Span<byte> magic = stackalloc byte[4];
        using var file = File.OpenRead(blobPath);
        var read = file.Read(magic);
        return read >= 2 && magic[0] == 0x1f && magic[1] == 0x8b ? "gzip"
            : read == 4 && magic.SequenceEqual(new byte[] { 0x28, 0xb5, 0x2f, 0xfd }) ? "zstd"
            : "plain";
    }

    /// <summary>An entry of a tarball (e.g. manifest.json of a docker-archive) parsed as JSON.</summary>
    public static JsonDocument ReadJsonEntry(string tarball, string name)
    {
        using var file = File.OpenRead(tarball);
        using var tar = new TarReader(file);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.Name == name && entry.DataStream is { } data)
            {
                return JsonDocument.Parse(data);
            }
        }

        throw new FileNotFoundException($"{name} not found in {tarball}");
    }

    /// <summary>Streams one member of a tarball to a callback without extracting it to disk.</summary>
    public static T WithEntry<T>(string tarball, string name, Func<Stream, T> read)
    {
        using var file = File.OpenRead(tarball);
        using var tar = new TarReader(file);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.Name == name && entry.DataStream is { } data)
            {
                return read(data);
            }
        }

        throw new FileNotFoundException($"{name} not found in {tarball}");
    }

    private static Stream Decompress(Stream layer, string compression) => compression switch
    {
        "gzip" => new GZipStream(layer, CompressionMode.Decompress),
        "zstd" => new DecompressionStream(layer),
        _ => layer,
    };
}
