using LayerLens.Analyzer.Blobs;
using Microsoft.Win32.SafeHandles;

namespace LayerLens.Analyzer.Images;

/// <summary>
/// Files of an image packed in an uncompressed tar (docker-archive, oci-archive). The archive is
/// indexed once (name → data offset and length) and entries are read in place with positional
/// reads on one shared handle: nothing is extracted and several layers can stream at once.
/// </summary>
public sealed class TarArchiveFiles : IImageFiles
{
    private const int MaxEntries = 100_000;
    private readonly SafeFileHandle _handle;
    private readonly Dictionary<string, (long Offset, long Length)> _entries = new(StringComparer.Ordinal);

    public TarArchiveFiles(string path)
    {
        Name = path;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            Index(path);
        }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    public string Name { get; }

    public IEnumerable<string> Paths => _entries.Keys;

    private void Index(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        Span<byte> magic = stackalloc byte[4];
        var got = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        if (got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b || got == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
        {
            throw new InvalidImageException($"{path}: the archive is compressed; decompress it first (image archives are plain tar)");
        }
        stream.Position = 0;
        TarIndexer.Index(stream, path, MaxEntries, (name, offset, length) => _entries[Normalize(name)] = (offset, length));
    }

    private static string Normalize(string name)
    {
        var n = name.Replace('\\', '/');
        while (n.StartsWith("./", StringComparison.Ordinal))
        {
            n = n[2..];
        }
        return n.TrimStart('/');
    }

    public bool Exists(string path) => _entries.ContainsKey(Normalize(path));

    public long Length(string path) => _entries.TryGetValue(Normalize(path), out var e) ? e.Length : -1;

    public Stream Open(string path)
    {
        if (!_entries.TryGetValue(Normalize(path), out var e))
        {
            throw new InvalidImageException($"{Name}: '{path}' is missing from the archive");
        }
        return new FileSliceStream(_handle, e.Offset, e.Length);
    }

    public void Dispose() => _handle.Dispose();
}
