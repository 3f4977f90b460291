using System.Globalization;

namespace LayerLens.Analyzer.Reports.Verdicts;

/// <summary>Sizes as dive's <c>.dive-ci</c> writes them (go-humanize): 20MB = 20,000,000; 20MiB = 20 × 2^20.</summary>
public static class ByteSize
{
    private static readonly (string Suffix, long Factor)[] Units =
    [
        ("kib", 1L << 10), ("mib", 1L << 20), ("gib", 1L << 30), ("tib", 1L << 40),
        ("ki", 1L << 10), ("mi", 1L << 20), ("gi", 1L << 30), ("ti", 1L << 40),
        ("kb", 1000L), ("mb", 1000_000L), ("gb", 1000_000_000L), ("tb", 1000_000_000_000L),
        ("k", 1000L), ("m", 1000_000L), ("g", 1000_000_000L), ("t", 1000_000_000_000L),
        ("b", 1L),
    ];

    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var t = text.Trim().ToLowerInvariant().Replace(",", "", StringComparison.Ordinal);
        long factor = 1;
        foreach (var (suffix, f) in Units)
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal))
            {
                factor = f;
                t = t[..^suffix.Length].Trim();
                break;
            }
        }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || double.IsNaN(value))
        {
            return false;
        }
        var result = value * factor;
        if (result > long.MaxValue)
        {
            return false;
        }
        bytes = (long)Math.Round(result);
        return true;
    }

    /// <summary>A ratio as a percentage with two decimals, e.g. 60.00%.</summary>
    public static string Percent(double ratio) => (ratio * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";

    /// <summary>
    /// The one size formatter of the CLI reports and the web pages. Decimal (SI) by default: 1 kB = 1,000 bytes,
    /// as dive and go-humanize print sizes and as registries and <c>docker images</c> report them, so a figure
    /// reads the same in LayerLens, dive and the registry; it is also what every report has always printed.
    /// Three significant digits: 1.54 kB, 15.4 MB, 154 MB. <see cref="ByteUnits.Binary"/> (KiB = 1,024 bytes) is
    /// there for a caller that must match a binary limit, and says so by its unit.
    /// </summary>
    public static string Format(long bytes, ByteUnits units = ByteUnits.Decimal)
    {
        var (step, names) = units == ByteUnits.Binary ? (1024.0, BinaryUnits) : (1000.0, DecimalUnits);
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= step && unit < names.Length - 1)
        {
            value /= step;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : value.ToString(value < 10 ? "0.00" : value < 100 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + names[unit];
    }

    /// <summary>An absent size (not measured yet) as an en dash, a present one as <see cref="Format(long, ByteUnits)"/>.</summary>
    public static string Format(long? bytes) => bytes is { } value ? Format(value) : "–";

    private static readonly string[] DecimalUnits = ["B", "kB", "MB", "GB", "TB"];
    private static readonly string[] BinaryUnits = ["B", "KiB", "MiB", "GiB", "TiB"];
}

/// <summary>Decimal (kB = 1,000 bytes, the default everywhere) or binary (KiB = 1,024 bytes) size units.</summary>
public enum ByteUnits
{
    Decimal,
    Binary,
}
