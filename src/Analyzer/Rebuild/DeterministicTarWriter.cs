using System.Globalization;
using System.Text;

namespace LayerLens.Analyzer.Rebuild;

/// <summary>
/// Writes a tar byte for byte the same for the same entries: ustar headers, a PAX extended header only when
/// a value does not fit (long or non-ASCII names, large ids or sizes, fractional times) or the entry carries
/// PAX records (xattrs …), records in a fixed order, the extended header named without process ids or times.
/// System.Formats.Tar's writer names PAX headers after the process id, so it cannot be used here.
/// </summary>
internal sealed class DeterministicTarWriter
{
    private const int Block = 512;
    private const long MaxOctal7 = 2_097_151;          // 0o7777777
    private const long MaxOctal11 = 8_589_934_591;     // 0o77777777777
    private readonly Stream _output;
    private readonly byte[] _header = new byte[Block];
    private static readonly byte[] Zeros = new byte[Block];

    public DeterministicTarWriter(Stream output) => _output = output;

    public long BytesWritten { get; private set; }

    /// <summary>Writes one entry's header (and PAX header when needed); the caller then writes <paramref name="size"/> data bytes and calls <see cref="Pad"/>.</summary>
    public void WriteHeader(string path, char typeFlag, FinalEntry? meta, string? linkName, long size)
    {
        var pax = new List<KeyValuePair<string, string>>();
        var name = typeFlag == '5' ? path + "/" : path;
        var (prefix, shortName) = SplitName(name);
        if (shortName is null)
        {
            pax.Add(new("path", name));
            (prefix, shortName) = ("", Ascii(name, 100));
        }
        var link = "";
        if (linkName is not null)
        {
            if (IsAscii(linkName) && Encoding.ASCII.GetByteCount(linkName) <= 100)
            {
                link = linkName;
            }
            else
            {
                pax.Add(new("linkpath", linkName));
                link = Ascii(linkName, 100);
            }
        }
        var uid = meta?.Uid ?? 0;
        var gid = meta?.Gid ?? 0;
        var mtime = meta?.ModificationTime ?? "0";
        if (size > MaxOctal11)
        {
            pax.Add(new("size", size.ToString(CultureInfo.InvariantCulture)));
        }
        if (uid < 0 || uid > MaxOctal7)
        {
            pax.Add(new("uid", uid.ToString(CultureInfo.InvariantCulture)));
        }
        if (gid < 0 || gid > MaxOctal7)
        {
            pax.Add(new("gid", gid.ToString(CultureInfo.InvariantCulture)));
        }
        var uname = meta?.UserName ?? "";
        var gname = meta?.GroupName ?? "";
        if (!IsAscii(uname) || uname.Length > 32)
        {
            pax.Add(new("uname", uname));
            uname = "";
        }
        if (!IsAscii(gname) || gname.Length > 32)
        {
            pax.Add(new("gname", gname));
            gname = "";
        }
        if (!long.TryParse(mtime, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > MaxOctal11)
        {
            pax.Add(new("mtime", mtime));
            seconds = long.TryParse(mtime.Split('.')[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) && whole is >= 0 and <= MaxOctal11 ? whole : 0;
        }
        if (meta is not null)
        {
            pax.AddRange(meta.PaxRecords);
        }
        if (pax.Count > 0)
        {
            var records = PaxRecords(pax);
            var slash = path.LastIndexOf('/');
            Header(Ascii("PaxHeaders/" + path[(slash + 1)..], 100), "", 'x', 0x1a4, 0, 0, records.Length, 0, "", "", "", 0, 0);
            Write(records);
            Pad(records.Length);
        }
        var mode = (meta?.Mode ?? 0) & 0xfff;
        Header(shortName, prefix, typeFlag, mode, Math.Clamp(uid, 0, (int)MaxOctal7), Math.Clamp(gid, 0, (int)MaxOctal7),
            size > MaxOctal11 ? 0 : size, seconds, link, uname, gname, meta?.DeviceMajor ?? 0, meta?.DeviceMinor ?? 0);
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        _output.Write(data);
        BytesWritten += data.Length;
    }

    public void Pad(long size)
    {
        var rest = (int)(size % Block);
        if (rest != 0)
        {
            Write(Zeros.AsSpan(0, Block - rest));
        }
    }

    public void Finish()
    {
        Write(Zeros);
        Write(Zeros);
    }

    private void Header(string name, string prefix, char type, int mode, int uid, int gid, long size, long mtime, string link, string uname, string gname, int major, int minor)
    {
        var h = _header.AsSpan();
        h.Clear();
        Text(h[..100], name);
        Octal(h.Slice(100, 8), mode);
        Octal(h.Slice(108, 8), uid);
        Octal(h.Slice(116, 8), gid);
        Octal(h.Slice(124, 12), size);
        Octal(h.Slice(136, 12), mtime);
        h.Slice(148, 8).Fill((byte)' ');
        h[156] = (byte)type;
        Text(h.Slice(157, 100), link);
        Text(h.Slice(257, 6), "ustar");
        Text(h.Slice(263, 2), "00");
        Text(h.Slice(265, 32), uname);
        Text(h.Slice(297, 32), gname);
        Octal(h.Slice(329, 8), Math.Max(0, major));
        Octal(h.Slice(337, 8), Math.Max(0, minor));
        Text(h.Slice(345, 155), prefix);
        var sum = 0;
        foreach (var b in h)
        {
            sum += b;
        }
        Text(h.Slice(148, 7), Convert.ToString(sum, 8).PadLeft(6, '0') + "\0");
        Write(h);
    }

    private static (string Prefix, string? Name) SplitName(string name)
    {
        if (!IsAscii(name))
        {
            return ("", null);
        }
        if (name.Length <= 100)
        {
            return ("", name);
        }
        // ustar: prefix (≤155) + '/' + name (≤100), split at a slash.
        for (var i = name.Length - 1; i > 0; i--)
        {
            if (name[i] == '/' && i <= 155 && name.Length - i - 1 <= 100 && name.Length - i - 1 > 0)
            {
                return (name[..i], name[(i + 1)..]);
            }
        }
        return ("", null);
    }

    private static byte[] PaxRecords(List<KeyValuePair<string, string>> records)
    {
        var all = new List<byte>();
        foreach (var (key, value) in records)
        {
            var body = Encoding.UTF8.GetByteCount($" {key}={value}\n");
            var length = body + 1;
            while (length.ToString(CultureInfo.InvariantCulture).Length + body != length)
            {
                length++;
            }
            all.AddRange(Encoding.UTF8.GetBytes($"{length} {key}={value}\n"));
        }
        return all.ToArray();
    }

    private static bool IsAscii(string s) => s.All(c => c is > '\0' and < (char)0x80);

    private static string Ascii(string s, int max)
    {
        var chars = s.Select(c => c is > '\0' and < (char)0x80 ? c : '_').ToArray();
        return new string(chars, 0, Math.Min(max, chars.Length));
    }

    private static void Text(Span<byte> field, string value) => Encoding.ASCII.GetBytes(value.AsSpan(0, Math.Min(value.Length, field.Length)), field);

    private static void Octal(Span<byte> field, long value) => Text(field, Convert.ToString(value, 8).PadLeft(field.Length - 1, '0') + "\0");
}
