using System.Formats.Tar;
using System.Text;

namespace LayerLens.TestInfrastructure.Synthetic;

/// <summary>Writes a layer tar the way image builders do, entry by entry, with whiteouts and links.</summary>
public sealed class LayerTarBuilder
{
    private readonly MemoryStream _tar = new();
    private readonly TarWriter _writer;

    public LayerTarBuilder(TarEntryFormat format = TarEntryFormat.Pax)
    {
        Format = format;
        _writer = new TarWriter(_tar, format, leaveOpen: true);
    }

    public TarEntryFormat Format { get; }

    public LayerTarBuilder Dir(string path)
    {
        _writer.WriteEntry(Entry(TarEntryType.Directory, path.TrimEnd('/') + "/"));
        return this;
    }

    public LayerTarBuilder File(string path, string content) => File(path, Encoding.UTF8.GetBytes(content));

    public LayerTarBuilder File(string path, byte[] content, UnixFileMode mode = (UnixFileMode)0b110_100_100)
    {
        var entry = Entry(Format == TarEntryFormat.V7 ? TarEntryType.V7RegularFile : TarEntryType.RegularFile, path);
        entry.Mode = mode;
        entry.DataStream = new MemoryStream(content);
        _writer.WriteEntry(entry);
        return this;
    }

    /// <summary>A file of <paramref name="size"/> bytes whose content depends on <paramref name="seed"/>.</summary>
    public LayerTarBuilder File(string path, int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return File(path, bytes);
    }

    public LayerTarBuilder HardLink(string path, string target)
    {
        var entry = Entry(TarEntryType.HardLink, path);
        entry.LinkName = target;
        _writer.WriteEntry(entry);
        return this;
    }

    public LayerTarBuilder Symlink(string path, string target)
    {
        var entry = Entry(TarEntryType.SymbolicLink, path);
        entry.LinkName = target;
        _writer.WriteEntry(entry);
        return this;
    }

    public LayerTarBuilder Whiteout(string path)
    {
        var slash = path.LastIndexOf('/');
        var whiteout = slash < 0 ? ".wh." + path : path[..(slash + 1)] + ".wh." + path[(slash + 1)..];
        return File(whiteout, []);
    }

    public LayerTarBuilder Opaque(string dir) => File(dir.TrimEnd('/') + "/.wh..wh..opq", []);

    public LayerTarBuilder Fifo(string path)
    {
        _writer.WriteEntry(Entry(TarEntryType.Fifo, path));
        return this;
    }

    public byte[] Build()
    {
        _writer.Dispose();
        return _tar.ToArray();
    }

    private TarEntry Entry(TarEntryType type, string name) => Format switch
    {
        TarEntryFormat.Gnu => new GnuTarEntry(type, name),
        TarEntryFormat.Ustar => new UstarTarEntry(type, name),
        TarEntryFormat.V7 => new V7TarEntry(type, name),
        _ => new PaxTarEntry(type, name),
    };
}
