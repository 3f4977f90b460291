using LayerLens.Analyzer.Blobs;
using System.Text;

namespace LayerLens.Analyzer.Images;

/// <summary>
/// Lists the regular files of an uncompressed tar with their data offsets, reading only headers
/// and seeking over contents (ustar, PAX <c>path</c>/<c>size</c> records, GNU long names).
/// </summary>
internal static class TarIndexer
{
    private const int Block = 512;

    public static void Index(Stream stream, string archive, int maxEntries, Action<string, long, long> onFile)
    {
        var header = new byte[Block];
        string? longName = null;
        long? paxSize = null;
        var entries = 0;
        while (true)
        {
            var got = stream.ReadAtLeast(header, Block, throwOnEndOfStream: false);
            if (got == 0)
            {
                return; // tolerated: archive without end-of-archive blocks
            }
            if (got < Block)
            {
                throw new InvalidImageException($"{archive}: truncated tar header at offset {stream.Position - got}");
            }
            if (header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
            {
                return; // end-of-archive marker
            }
            if (++entries > maxEntries)
            {
                throw new InvalidImageException($"{archive}: more than {maxEntries} entries; not an image archive");
            }
            VerifyChecksum(header, archive, stream.Position - Block);
            var type = (char)header[156];
            var size = paxSize ?? ParseNumber(header.AsSpan(124, 12), archive, stream.Position - Block);
            var dataStart = stream.Position;
            // Before any arithmetic on it: a huge size would overflow the padding below into a negative seek (ImageReaderFuzzTests).
            if (size > stream.Length - dataStart)
            {
                throw new InvalidImageException($"{archive}: truncated; an entry at offset {dataStart - Block} claims {size} bytes, past the end");
            }
            var padded = (size + Block - 1) / Block * Block;
            if (dataStart + padded > stream.Length)
            {
                throw new InvalidImageException($"{archive}: truncated; an entry at offset {dataStart - Block} runs past the end");
            }

            switch (type)
            {
                case 'x':
                    (longName, paxSize) = ParsePax(ReadData(stream, size, archive), longName);
                    break;
                case 'L':
                    longName = Encoding.UTF8.GetString(ReadData(stream, size, archive)).TrimEnd('\0');
                    break;
                case 'g':
                    stream.Seek(padded, SeekOrigin.Current);
                    break;
                default:
                    var name = longName ?? HeaderName(header);
                    if (type is '0' or '\0' or '7')
                    {
                        onFile(name, dataStart, size);
                    }
                    longName = null;
                    paxSize = null;
                    stream.Seek(dataStart + padded, SeekOrigin.Begin);
                    break;
            }
            if (type is 'x' or 'L')
            {
                stream.Seek(dataStart + padded, SeekOrigin.Begin);
            }
        }
    }

    private static byte[] ReadData(Stream stream, long size, string archive)
    {
        if (size > 1024 * 1024)
        {
            throw new InvalidImageException($"{archive}: extended tar header of {size} bytes is too large");
        }
        var data = new byte[size];
        stream.ReadExactly(data);
        return data;
    }

    private static string HeaderName(byte[] header)
    {
        var name = CString(header.AsSpan(0, 100));
        var magic = Encoding.ASCII.GetString(header, 257, 5);
        if (magic == "ustar")
        {
            var prefix = CString(header.AsSpan(345, 155));
            if (prefix.Length > 0)
            {
                name = prefix + "/" + name;
            }
        }
        return name;
    }

    private static string CString(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    private static (string? Path, long? Size) ParsePax(byte[] data, string? path)
    {
        long? size = null;
        var text = Encoding.UTF8.GetString(data);
        foreach (var record in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var space = record.IndexOf(' ');
            var eq = record.IndexOf('=');
            if (space < 0 || eq < space)
            {
                continue;
            }
            var key = record[(space + 1)..eq];
            var value = record[(eq + 1)..];
            if (key == "path")
            {
                path = value;
            }
            else if (key == "size" && long.TryParse(value, out var s) && s >= 0)
            {
                size = s;
            }
        }
        return (path, size);
    }

    private static long ParseNumber(ReadOnlySpan<byte> field, string archive, long offset)
    {
        if ((field[0] & 0x80) != 0)
        {
            // GNU base-256 for sizes of 8 GiB and more.
            // A negative number (0xFF lead byte) or one past 2^63 is no size: refuse instead of wrapping around.
            long value = 0;
            for (var i = 1; i < field.Length; i++)
            {
                if (field[0] != 0x80 || value > long.MaxValue >> 8)
                {
                    throw new InvalidImageException($"{archive}: corrupt tar header at offset {offset} (size out of range)");
                }
                value = (value << 8) | field[i];
            }
            return value;
        }
        long n = 0;
        foreach (var b in field)
        {
            if (b is 0 or (byte)' ')
            {
                if (n > 0)
                {
                    break;
                }
                continue;
            }
            if (b is < (byte)'0' or > (byte)'7')
            {
                throw new InvalidImageException($"{archive}: corrupt tar header at offset {offset} (bad number)");
            }
            n = checked(n * 8 + (b - '0'));
        }
        return n;
    }

    private static void VerifyChecksum(byte[] header, string archive, long offset)
    {
        var stored = ParseNumber(header.AsSpan(148, 8), archive, offset);
        long sum = 0;
        for (var i = 0; i < Block; i++)
        {
            sum += i is >= 148 and < 156 ? (byte)' ' : header[i];
        }
        if (sum != stored)
        {
            throw new InvalidImageException($"{archive}: corrupt tar header at offset {offset} (checksum)");
        }
    }
}
