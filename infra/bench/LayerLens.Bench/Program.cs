using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

// baseline DIR      decompress every layer of an OCI layout in parallel with GZipStream and discard the bytes
// synth DIR FILES   write an OCI layout of one gzip layer holding FILES small files (100 per directory)
// bulk DIR LAYERS MB write an OCI layout of LAYERS gzip layers of about MB uncompressed each (mixed text/binary files)
return args switch
{
    ["baseline", var dir] => Baseline(dir),
    ["synth", var dir, var files] => Synth(dir, int.Parse(files, System.Globalization.CultureInfo.InvariantCulture)),
    ["bulk", var dir, var layers, var mb] => Bulk(dir, int.Parse(layers, System.Globalization.CultureInfo.InvariantCulture), int.Parse(mb, System.Globalization.CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: baseline DIR | synth DIR FILES | bulk DIR LAYERS MB");
    return 2;
}

static int Baseline(string dir)
{
    var manifestDigest = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "index.json")))!["manifests"]![0]!["digest"]!.GetValue<string>();
    var manifest = JsonNode.Parse(File.ReadAllText(Blob(dir, manifestDigest)))!;
    var layers = manifest["layers"]!.AsArray().Select(l => Blob(dir, l!["digest"]!.GetValue<string>())).OrderByDescending(p => new FileInfo(p).Length).ToList();
    var watch = Stopwatch.StartNew();
    long total = 0;
    Parallel.ForEach(layers, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, path =>
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var buffer = new byte[128 * 1024];
        long n = 0;
        int read;
        while ((read = gz.Read(buffer)) > 0)
        {
            n += read;
        }
        Interlocked.Add(ref total, n);
    });
    Console.WriteLine($"baseline: {layers.Count} layers, {total} bytes uncompressed in {watch.Elapsed.TotalSeconds:0.00} s");
    return 0;
}

static string Blob(string dir, string digest) => Path.Combine(dir, "blobs", "sha256", digest[7..]);

static int Synth(string dir, int files)
{
    var layer = WriteLayer(dir, tar =>
    {
        for (var i = 0; i < files; i++)
        {
            if (i % 100 == 0)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, $"data/d{i / 100:D6}/"));
            }
            var content = Encoding.ASCII.GetBytes($"file {i}\n");
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"data/d{i / 100:D6}/file-{i:D7}.txt") { DataStream = new MemoryStream(content) });
        }
    });
    WriteImage(dir, [layer]);
    return 0;
}

static int Bulk(string dir, int layers, int mb)
{
    var result = new List<(string, string, long)>();
    var random = new Random(42);
    for (var l = 0; l < layers; l++)
    {
        result.Add(WriteLayer(dir, tar =>
        {
            long written = 0;
            var i = 0;
            while (written < (long)mb * 1024 * 1024)
            {
                // Half compressible text (like sources and docs), half random (like binaries); sizes 1 KB..512 KB.
                var size = random.Next(1024, 512 * 1024);
                var bytes = new byte[size];
                if (i % 2 == 0)
                {
                    random.NextBytes(bytes);
                }
                else
                {
                    for (var k = 0; k < size; k++)
                    {
                        bytes[k] = (byte)"the quick brown fox jumps over the lazy dog\n"[(k + i) % 44];
                    }
                }
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"layer{l}/dir{i / 50}/file{i}") { DataStream = new MemoryStream(bytes) });
                written += size;
                i++;
            }
        }));
    }
    WriteImage(dir, result);
    return 0;
}

static (string Digest, string DiffId, long Size) WriteLayer(string dir, Action<TarWriter> write)
{
    Directory.CreateDirectory(Path.Combine(dir, "blobs", "sha256"));
    var temp = Path.Combine(dir, "layer.tmp");
    using var diff = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    using (var file = File.Create(temp))
    using (var gz = new GZipStream(file, CompressionLevel.Fastest))
    using (var hashing = new HashingWriteStream(gz, diff))
    using (var tar = new TarWriter(hashing, TarEntryFormat.Pax))
    {
        write(tar);
    }
    var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(temp)));
    var size = new FileInfo(temp).Length;
    File.Move(temp, Blob(dir, digest), overwrite: true);
    return (digest, "sha256:" + Convert.ToHexStringLower(diff.GetHashAndReset()), size);
}

static void WriteImage(string dir, List<(string Digest, string DiffId, long Size)> layers)
{
    var config = JsonSerializer.SerializeToUtf8Bytes(new JsonObject
    {
        ["architecture"] = "amd64",
        ["os"] = "linux",
        ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(layers.Select(l => (JsonNode)l.DiffId).ToArray()) },
    });
    var configDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(config));
    File.WriteAllBytes(Blob(dir, configDigest), config);
    var manifest = JsonSerializer.SerializeToUtf8Bytes(new JsonObject
    {
        ["schemaVersion"] = 2,
        ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
        ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = configDigest, ["size"] = config.Length },
        ["layers"] = new JsonArray(layers.Select(l => (JsonNode)new JsonObject { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip", ["digest"] = l.Digest, ["size"] = l.Size }).ToArray()),
    });
    var manifestDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(manifest));
    File.WriteAllBytes(Blob(dir, manifestDigest), manifest);
    File.WriteAllText(Path.Combine(dir, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
    File.WriteAllText(Path.Combine(dir, "index.json"), new JsonObject
    {
        ["schemaVersion"] = 2,
        ["manifests"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.oci.image.manifest.v1+json", ["digest"] = manifestDigest, ["size"] = manifest.Length }),
    }.ToJsonString());
}

/// <summary>Hashes what is written (the uncompressed tar) on its way to the compressor.</summary>
internal sealed class HashingWriteStream(Stream inner, IncrementalHash hash) : Stream
{
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        hash.AppendData(buffer);
        inner.Write(buffer);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
