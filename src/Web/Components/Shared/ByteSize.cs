using System.Globalization;

namespace LayerLens.Web.Components.Shared;

/// <summary>Human-readable sizes in binary units, as dive and the CLI table show them.</summary>
public static class ByteSize
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    public static string Format(long? bytes)
    {
        if (bytes is not { } value)
        {
            return "–";
        }

        double scaled = value;
        var unit = 0;
        while (Math.Abs(scaled) >= 1024 && unit < Units.Length - 1)
        {
            scaled /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{value} B")
            : string.Create(CultureInfo.InvariantCulture, $"{scaled:0.0} {Units[unit]}");
    }
}
