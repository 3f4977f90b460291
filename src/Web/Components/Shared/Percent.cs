using System.Globalization;

namespace LayerLens.Web.Components.Shared;

/// <summary>Ratios in [0, 1] shown as percentages with one decimal ("71.3%").</summary>
public static class Percent
{
    public static string Format(double? ratio) =>
        ratio is { } value ? string.Create(CultureInfo.InvariantCulture, $"{value * 100:0.0}%") : "–";
}
