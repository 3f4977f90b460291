using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace LayerLens.TestInfrastructure.Archives;

/// <summary>One entry of a test archive: a file with content, a directory, or a symbolic/hard link.</summary>
public sealed record TestEntry(string Name, string? Content = null, string? SymlinkTo = null, string? HardLinkTo = null, bool Directory = false, byte[]? Bytes = null, bool Executable = false);

/// <summary>Builds build-context archives (tar, tar.gz, zip) entry by entry, hostile names included.</summary>
public static class TestArchive
{
    public static byte[] Build(string format, params TestEntry[] entries) => format switch
    {
        "zip" => Zip(entries),
        "tar.gz" => Gzip(Tar(entries)),
        _ => Tar(entries),
    };

    public static byte[] Tar(IEnumerable<TestEntry> entries)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var e in entries)
            {
                PaxTarEntry entry;
                if (e.Directory)
                {
                    entry = new PaxTarEntry(TarEntryType.Directory, e.Name);
                }
                else if (e.SymlinkTo is not null)
                {
                    entry = new PaxTarEntry(TarEntryType.SymbolicLink, e.Name) { LinkName = e.SymlinkTo };
                }
                else if (e.HardLinkTo is not null)
                {
                    entry = new PaxTarEntry(TarEntryType.HardLink, e.Name) { LinkName = e.HardLinkTo };
                }
                else
                {
                    entry = new PaxTarEntry(TarEntryType.RegularFile, e.Name) { DataStream = new MemoryStream(e.Bytes ?? Encoding.UTF8.GetBytes(e.Content ?? "")) };
                }
                entry.Mode = e.Directory || e.Executable ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100;
                writer.WriteEntry(entry);
            }
        }
        return buffer.ToArray();
    }

    public static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return buffer.ToArray();
    }

    public static byte[] Zip(IEnumerable<TestEntry> entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var e in entries)
            {
                var entry = zip.CreateEntry(e.Directory ? e.Name.TrimEnd('/') + "/" : e.Name, CompressionLevel.SmallestSize);
                if (e.SymlinkTo is not null)
                {
                    entry.ExternalAttributes = unchecked((int)(0xA1FFu << 16));
                }
                else if (e.Executable)
                {
                    entry.ExternalAttributes = unchecked((int)(0x81EDu << 16));
                }
                if (!e.Directory)
                {
                    using var stream = entry.Open();
                    stream.Write(e.Bytes ?? Encoding.UTF8.GetBytes(e.SymlinkTo ?? e.Content ?? ""));
                }
            }
        }
        return buffer.ToArray();
    }
}
