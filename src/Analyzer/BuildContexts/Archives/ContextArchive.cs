using System.Formats.Tar;
using System.IO.Compression;

namespace LayerLens.Analyzer.BuildContexts.Archives;

/// <summary>What an archive held: entries and bytes once unpacked, and the version-control metadata entries left out.</summary>
public sealed record ContextSummary(int Entries, long ExpandedBytes, int SkippedMetadata = 0);

/// <summary>
/// A build context uploaded as tar, tar.gz or zip. <see cref="Validate"/> streams it once without writing
/// anything (so the API can refuse it at upload, naming the entry); <see cref="Extract"/> applies the same
/// checks while unpacking into a job's work directory — the one place a context must be on disk, because
/// the builder reads it from there.
/// </summary>
public static class ContextArchive
{
    public static ContextSummary Validate(string archive, ContextLimits limits, CancellationToken cancellationToken) =>
        Walk(archive, null, limits, cancellationToken);

    /// <summary>Unpacks into <paramref name="target"/>, which must not exist yet (nothing there the checks did not write).</summary>
    public static ContextSummary Extract(string archive, string target, ContextLimits limits, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(target).TrimEnd(Path.DirectorySeparatorChar);
        if (Directory.Exists(full) || File.Exists(full))
        {
            throw new IOException($"{target}: the build context's target directory already exists");
        }
        Directory.CreateDirectory(full);
        try
        {
            return Walk(archive, full, limits, cancellationToken);
        }
        catch
        {
            // A refused archive leaves nothing behind (Directory.Delete removes links, not their targets).
            Directory.Delete(full, recursive: true);
            throw;
        }
    }

    private static ContextSummary Walk(string archive, string? target, ContextLimits limits, CancellationToken cancellationToken)
    {
        var length = new FileInfo(archive).Length;
        var sink = new ContextSink(target, limits, length, cancellationToken);
        using var file = File.OpenRead(archive);
        Span<byte> magic = stackalloc byte[4];
        var read = file.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        file.Position = 0;
        try
        {
            if (read >= 2 && magic[0] == 0x1F && magic[1] == 0x8B)
            {
                using var gzip = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
                ReadTar(gzip, sink);
            }
            else if (read == 4 && magic[0] == (byte)'P' && magic[1] == (byte)'K' && (magic[2], magic[3]) is (3, 4) or (5, 6))
            {
                ReadZip(file, sink);
            }
            else if (LooksLikeTar(file))
            {
                ReadTar(file, sink);
            }
            else
            {
                throw new ContextArchiveException("the build context is not a tar, tar.gz or zip archive");
            }
        }
        catch (InvalidDataException ex)
        {
            throw new ContextArchiveException($"the build context archive is corrupt after {sink.Entries} entries: {ex.Message}");
        }
        catch (IOException ex) when (ex is not FileNotFoundException)
        {
            throw new ContextArchiveException($"the build context could not be unpacked after {sink.Entries} entries: {ex.Message}");
        }
        catch (FormatException ex)
        {
            throw new ContextArchiveException($"the build context archive is corrupt after {sink.Entries} entries: {ex.Message}");
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or ArgumentException or OverflowException && ex is not ObjectDisposedException)
        {
            // What System.Formats.Tar and System.IO.Compression throw for damaged headers (found by ContextFuzzTests):
            // an oversized extended-attributes entry, an unsupported zip compression method, a negative size.
            throw new ContextArchiveException($"the build context archive is corrupt after {sink.Entries} entries: {ex.Message}");
        }
        sink.Finish();
        return new ContextSummary(sink.Entries, sink.ExpandedBytes, sink.SkippedMetadata);
    }

    /// <summary>A ustar/GNU magic at offset 257, or an all-zero first block (an empty tar).</summary>
    private static bool LooksLikeTar(FileStream file)
    {
        var block = new byte[512];
        var read = file.ReadAtLeast(block, 512, throwOnEndOfStream: false);
        file.Position = 0;
        if (read < 512)
        {
            return false;
        }
        return block.AsSpan(257, 5).SequenceEqual("ustar"u8) || !block.AsSpan().ContainsAnyExcept((byte)0);
    }

    private static void ReadTar(Stream stream, ContextSink sink)
    {
        using var reader = new TarReader(stream, leaveOpen: true);
        while (reader.GetNextEntry() is { } entry)
        {
            switch (entry.EntryType)
            {
                case TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes:
                    continue;
                case TarEntryType.Directory:
                    sink.Directory(entry.Name);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    sink.File(entry.Name, entry.DataStream, (int)entry.Mode);
                    break;
                case TarEntryType.SymbolicLink:
                    sink.SymbolicLink(entry.Name, entry.LinkName);
                    break;
                case TarEntryType.HardLink:
                    sink.HardLink(entry.Name, entry.LinkName);
                    break;
                default:
                    sink.Refuse(entry.Name, $"is a {entry.EntryType} entry; a build context holds files, directories and links");
                    break;
            }
        }
    }

    private const int UnixTypeMask = 0xF000;
    private const int UnixSymlink = 0xA000;

    private static void ReadZip(FileStream file, ContextSink sink)
    {
        using var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        if (zip.Entries.Count > sink.Limits.MaxEntries)
        {
            throw new ContextArchiveException($"the build context has {zip.Entries.Count} entries, more than the limit of {sink.Limits.MaxEntries}");
        }
        foreach (var entry in zip.Entries)
        {
            var unix = entry.ExternalAttributes >>> 16;
            var name = entry.FullName.Replace('\\', '/');
            if (name.EndsWith('/'))
            {
                sink.Directory(name);
            }
            else if ((unix & UnixTypeMask) == UnixSymlink)
            {
                using var content = entry.Open();
                var buffer = new byte[4097];
                var n = content.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
                if (n > 4096)
                {
                    sink.Refuse(name, "is a symbolic link with a target longer than 4096 bytes");
                }
                sink.SymbolicLink(name, System.Text.Encoding.UTF8.GetString(buffer, 0, n));
            }
            else
            {
                using var content = entry.Open();
                sink.File(name, content, unix & 0x1FF);
            }
        }
    }
}
