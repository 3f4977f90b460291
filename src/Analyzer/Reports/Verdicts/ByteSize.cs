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

    public static string Format(long bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB"];
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : value.ToString(value < 10 ? "0.00" : value < 100 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
