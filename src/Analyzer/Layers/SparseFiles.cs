using LayerLens.Analyzer.Blobs;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Hashing;
using LayerLens.Analyzer.Images;

namespace LayerLens.Analyzer.Layers;

/// <summary>
/// GNU sparse files: the tar carries only the data segments and a map of where they sit; the holes
/// between them are zeros. The file counts with its real size and its content hash is the hash of
/// the expanded bytes (holes hashed as zeros, streamed), so a sparse file and a dense copy of it are
/// the same content. Supported: old GNU 'S' entries (map in the header; at most four segments —
/// extended sparse headers are refused) and the PAX formats 0.1 (map in GNU.sparse.map) and 1.0
/// (map at the start of the data); 0.0 (repeated GNU.sparse.offset/numbytes) arrives here in the 0.1 form,
/// rewritten by <see cref="GnuSparseHeaderStream"/>.
/// </summary>
internal static class SparseFiles
{
    private const string Major = "GNU.sparse.major";
    private const string Minor = "GNU.sparse.minor";
    private const string RealName = "GNU.sparse.name";
    private const string MapAttribute = "GNU.sparse.map";
    private const int MaxSegments = 1_000_000;
    private static readonly byte[] Zeros = new byte[64 * 1024];

    /// <summary>The file's name: PAX sparse entries keep it in GNU.sparse.name (the header names a GNUSparseFile.N/ placeholder).</summary>
    public static string NameOf(TarEntry entry) =>
        entry is PaxTarEntry pax && pax.ExtendedAttributes.TryGetValue(RealName, out var name) && name.Length > 0 ? name : entry.Name;

    public static bool IsSparse(TarEntry entry, SparseMap? oldGnu) =>
        oldGnu is not null
        || entry is PaxTarEntry { EntryType: TarEntryType.RegularFile } pax && (pax.ExtendedAttributes.ContainsKey(Major) || pax.ExtendedAttributes.ContainsKey(MapAttribute) || pax.ExtendedAttributes.ContainsKey("GNU.sparse.offset"));

    /// <summary>Hashes the expanded content of a sparse entry; returns its real size.</summary>
    /// <param name="oldGnu">The map of an old GNU 'S' entry (see <see cref="GnuSparseHeaderStream"/>); null for PAX sparse entries.</param>
    /// <param name="maxRealSize">Largest real size accepted (holes cost hashing time; a hostile map could claim petabytes).</param>
    public static (long RealSize, UInt128 Hash) Hash(TarEntry entry, SparseMap? oldGnu, XxHash128 hasher, byte[] buffer, long maxRealSize, string where)
    {
        var (realSize, map) = ReadMap(entry, oldGnu, maxRealSize, where);
        var data = entry.DataStream ?? Stream.Null;
        hasher.Reset();
        long position = 0;
        try
        {
            foreach (var (offset, length) in map)
            {
                AppendZeros(hasher, offset - position);
                for (var left = length; left > 0;)
                {
                    var n = data.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                    if (n == 0)
                    {
                        throw new InvalidImageException($"{where}: sparse data ends early");
                    }
                    hasher.Append(buffer.AsSpan(0, n));
                    left -= n;
                }
                position = offset + length;
            }
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException)
        {
            throw new InvalidImageException($"{where}: sparse data ends early ({ex.Message})", ex);
        }
        AppendZeros(hasher, realSize - position);
        return (realSize, hasher.GetCurrentHashAsUInt128());
    }

    /// <summary>
    /// The real size and the validated map of a sparse entry. For PAX 1.0 the map is read from the start of the
    /// entry's data, which is then positioned at the first data segment.
    /// </summary>
    public static (long RealSize, List<(long Offset, long Length)> Map) ReadMap(TarEntry entry, SparseMap? oldGnu, long maxRealSize, string where)
    {
        var data = entry.DataStream ?? Stream.Null;
        long realSize;
        List<(long Offset, long Length)> map;
        long dataBytes;
        if (oldGnu is not null)
        {
            if (oldGnu.Error is not null)
            {
                throw new InvalidImageException($"{where}: GNU sparse entry unusable: {oldGnu.Error}");
            }
            (realSize, map, dataBytes) = (oldGnu.RealSize, oldGnu.Segments, entry.Length);
        }
        else
        {
            var attributes = ((PaxTarEntry)entry).ExtendedAttributes;
            var version = $"{attributes.GetValueOrDefault(Major, "0")}.{attributes.GetValueOrDefault(Minor, attributes.ContainsKey(MapAttribute) ? "1" : "0")}";
            switch (version)
            {
                case "1.0":
                    realSize = ParseDecimal(attributes.GetValueOrDefault("GNU.sparse.realsize"), "GNU.sparse.realsize", where);
                    long mapBytes;
                    (map, mapBytes) = ReadDataMap(data, where);
                    dataBytes = entry.Length - mapBytes;
                    break;
                case "0.1":
                    realSize = ParseDecimal(attributes.GetValueOrDefault("GNU.sparse.size"), "GNU.sparse.size", where);
                    map = ParseAttributeMap(attributes.GetValueOrDefault(MapAttribute), where);
                    dataBytes = entry.Length;
                    break;
                default:
                    throw new InvalidImageException($"{where}: GNU sparse format {version} is not supported (0.0, 0.1, 1.0 and old GNU 'S' entries are)");
            }
        }
        Validate(map, realSize, dataBytes, maxRealSize, where);
        return (realSize, map);
    }

    private static void AppendZeros(XxHash128 hasher, long count)
    {
        for (; count > 0; count -= Zeros.Length)
        {
            hasher.Append(Zeros.AsSpan(0, (int)Math.Min(Zeros.Length, count)));
        }
    }

    private static void Validate(List<(long Offset, long Length)> map, long realSize, long dataBytes, long maxRealSize, string where)
    {
        if (realSize < 0 || realSize > maxRealSize)
        {
            throw new InvalidImageException($"{where}: sparse file claims {realSize} bytes, over the limit of {maxRealSize} (decompression bomb?)");
        }
        long end = 0;
        long total = 0;
        foreach (var (offset, length) in map)
        {
            if (offset < end || length < 0 || offset > realSize - length)
            {
                throw new InvalidImageException($"{where}: sparse map segments overlap, go backwards or pass the real size {realSize}");
            }
            end = offset + length;
            total += length;
        }
        if (total != dataBytes)
        {
            throw new InvalidImageException($"{where}: sparse map describes {total} data bytes but the entry holds {dataBytes}");
        }
    }

    private static long ParseDecimal(string? text, string name, string where) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidImageException($"{where}: sparse attribute {name} is missing or not a number");

    private static List<(long, long)> ParseAttributeMap(string? text, string where)
    {
        var parts = (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length % 2 != 0 || parts.Length / 2 > MaxSegments)
        {
            throw new InvalidImageException($"{where}: malformed GNU.sparse.map");
        }
        var map = new List<(long, long)>(parts.Length / 2);
        for (var i = 0; i < parts.Length; i += 2)
        {
            map.Add((ParseDecimal(parts[i], MapAttribute, where), ParseDecimal(parts[i + 1], MapAttribute, where)));
        }
        return map;
    }

    /// <summary>PAX 1.0: decimal lines (count, then offset/length pairs) padded to a 512-byte block boundary.</summary>
    private static (List<(long, long)> Map, long Bytes) ReadDataMap(Stream data, string where)
    {
        var block = new byte[512];
        var blocks = 0;
        var at = block.Length;
        long NextNumber()
        {
            long value = 0;
            var digits = 0;
            while (true)
            {
                if (at == block.Length)
                {
                    if (data.ReadAtLeast(block, block.Length, throwOnEndOfStream: false) != block.Length)
                    {
                        throw new InvalidImageException($"{where}: sparse map ends early");
                    }
                    blocks++;
                    at = 0;
                }
                var b = block[at++];
                if (b == (byte)'\n' && digits > 0)
                {
                    return value;
                }
                if (b is < (byte)'0' or > (byte)'9' || ++digits > 18)
                {
                    throw new InvalidImageException($"{where}: malformed sparse map");
                }
                value = value * 10 + (b - '0');
            }
        }
        var count = NextNumber();
        if (count > MaxSegments)
        {
            throw new InvalidImageException($"{where}: sparse map of {count} segments passes the limit of {MaxSegments}");
        }
        var map = new List<(long, long)>((int)count);
        for (var i = 0; i < count; i++)
        {
            map.Add((NextNumber(), NextNumber()));
        }
        return (map, (long)blocks * block.Length);
    }
}
