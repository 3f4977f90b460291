using System.Globalization;
using System.Text;

namespace LayerLens.Analyzer.Layers;

/// <summary>
/// PAX sparse format 0.0 lists a file's segments as repeated GNU.sparse.offset / GNU.sparse.numbytes records
/// in one extended header, which no attribute dictionary can hold. <see cref="Rewrite"/> turns them into the
/// 0.1 form — one <c>GNU.sparse.map=off,len,off,len…</c> record where the first offset was, every other
/// record kept in order, each record's length prefix recomputed — which <see cref="SparseFiles"/> reads.
/// </summary>
internal static class PaxSparse00
{
    /// <summary>Largest metadata entry (PAX header, GNU long name) accepted; each PAX header is read whole to look for a 0.0 map.</summary>
    public const int MaxHeaderBytes = 4 * 1024 * 1024;

    /// <summary>Most segments a 0.0 map may list.</summary>
    public const int MaxSegments = 65_536;

    private const string Offset = "GNU.sparse.offset";
    private const string NumBytes = "GNU.sparse.numbytes";
    private const string NumBlocks = "GNU.sparse.numblocks";

    /// <summary>
    /// The records with a 0.0 map rewritten, and why the map is unusable (then the pairs are dropped and the
    /// entry must be refused); null when the header holds no 0.0 map or is not well-formed PAX (left to TarReader).
    /// </summary>
    public static (byte[] Records, string? Error)? Rewrite(ReadOnlySpan<byte> data)
    {
        // Most PAX headers (mtime, xattrs, long names) hold no sparse pair: one vectorised search says so.
        if (data.IndexOf(" GNU.sparse.offset="u8) < 0 && data.IndexOf(" GNU.sparse.numbytes="u8) < 0)
        {
            return null;
        }
        var records = new List<(int Start, int Length, string? Key)>();
        for (var at = 0; at < data.Length;)
        {
            if (!TryRecord(data[at..], out var length, out var key))
            {
                return null;
            }
            records.Add((at, length, key));
            at += length;
        }
        if (!records.Exists(r => r.Key is Offset or NumBytes))
        {
            return null;
        }

        string? error = null;
        var map = new StringBuilder();
        var pairs = 0;
        var expectOffset = true;
        string? numBlocks = null;
        foreach (var (start, length, key) in records)
        {
            if (key == NumBlocks)
            {
                numBlocks = Value(data.Slice(start, length));
            }
            if (key is not (Offset or NumBytes) || error is not null)
            {
                continue;
            }
            var value = Value(data.Slice(start, length));
            if ((key == Offset) != expectOffset)
            {
                error = expectOffset ? $"{NumBytes} without a {Offset} before it" : $"{Offset} {map.ToString().Split(',')[^1]} without its {NumBytes}";
            }
            else if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                error = $"{key} '{Clip(value)}' is not a number";
            }
            else if (expectOffset && ++pairs > MaxSegments)
            {
                error = $"more than {MaxSegments:N0} segments (limit)";
            }
            else
            {
                map.Append(map.Length == 0 ? "" : ",").Append(value);
            }
            expectOffset = !expectOffset;
        }
        if (error is null && !expectOffset)
        {
            error = $"{Offset} {map.ToString().Split(',')[^1]} without its {NumBytes}";
        }
        if (error is null && numBlocks is not null && numBlocks != pairs.ToString(CultureInfo.InvariantCulture))
        {
            error = $"{NumBlocks}={Clip(numBlocks)} but the header lists {pairs} segments";
        }

        // The map record replaces the first pair; on an error the pairs are only dropped, so TarReader reads the header.
        var output = new MemoryStream(data.Length);
        var placed = false;
        foreach (var (start, length, key) in records)
        {
            if (key is Offset or NumBytes)
            {
                if (!placed && error is null)
                {
                    output.Write(Record("GNU.sparse.map", map.ToString()));
                }
                placed = true;
                continue;
            }
            output.Write(data.Slice(start, length));
        }
        return (output.ToArray(), error);
    }

    /// <summary>
    /// The value of a PAX <c>size</c> record, which stands for the ustar size field of the header after it (Go's
    /// archive/tar writes one, with a zero size field, for files of 8 GiB and more); null when there is none or it is
    /// not a number TarReader would take (then TarReader refuses the header or keeps the size field, as here).
    /// </summary>
    public static long? SizeRecord(ReadOnlySpan<byte> data)
    {
        if (data.IndexOf(" size="u8) < 0)
        {
            return null;
        }
        for (var at = 0; at < data.Length;)
        {
            if (!TryRecord(data[at..], out var length, out var key))
            {
                return null;
            }
            // TarReader parses it with long.Parse (NumberStyles.Integer, invariant).
            if (key == "size")
            {
                return long.TryParse(Value(data.Slice(at, length)), NumberStyles.Integer, CultureInfo.InvariantCulture, out var size) && size >= 0 ? size : null;
            }
            at += length;
        }
        return null;
    }

    /// <summary>One "LEN key=value\n" record, LEN counting its own digits.</summary>
    public static byte[] Record(string key, string value)
    {
        var body = Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value) + 3; // ' ', '=', '\n'
        var length = body + 1;
        while (length != body + length.ToString(CultureInfo.InvariantCulture).Length)
        {
            length = body + length.ToString(CultureInfo.InvariantCulture).Length;
        }
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{length} {key}={value}\n"));
    }

    private static bool TryRecord(ReadOnlySpan<byte> data, out int length, out string? key)
    {
        key = null;
        length = 0;
        var space = data[..Math.Min(data.Length, 12)].IndexOf((byte)' ');
        if (space <= 0 || !int.TryParse(data[..space], NumberStyles.None, CultureInfo.InvariantCulture, out length) || length <= space + 1 || length > data.Length || data[length - 1] != (byte)'\n')
        {
            return false;
        }
        var equals = data[(space + 1)..length].IndexOf((byte)'=');
        if (equals <= 0)
        {
            return false;
        }
        key = Encoding.UTF8.GetString(data.Slice(space + 1, equals));
        return true;
    }

    private static string Value(ReadOnlySpan<byte> record)
    {
        var equals = record.IndexOf((byte)'=');
        return Encoding.UTF8.GetString(record[(equals + 1)..^1]);
    }

    private static string Clip(string value) => value.Length > 32 ? value[..32] + "…" : value;
}
