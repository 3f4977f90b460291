namespace LayerLens.Analyzer.Images;

/// <summary>An os/arch[/variant] triple as given to <c>--platform</c>.</summary>
public readonly record struct Platform(string Os, string Architecture, string? Variant)
{
    public static readonly Platform DefaultLinuxAmd64 = new("linux", "amd64", null);

    public static Platform Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"platform '{text}' is not os/arch[/variant]");
        }
        return new Platform(parts[0].ToLowerInvariant(), parts[1].ToLowerInvariant(), parts.Length == 3 ? parts[2].ToLowerInvariant() : null);
    }

    public static Platform? From(PlatformSpec? spec) =>
        spec?.Os is { Length: > 0 } os && spec.Architecture is { Length: > 0 } arch
            ? new Platform(os, arch, string.IsNullOrEmpty(spec.Variant) ? null : spec.Variant)
            : null;

    /// <summary>True when this (requested) platform accepts <paramref name="actual"/>; no variant means any variant.</summary>
    public bool Accepts(Platform actual) =>
        string.Equals(Os, actual.Os, StringComparison.OrdinalIgnoreCase)
        && string.Equals(Architecture, actual.Architecture, StringComparison.OrdinalIgnoreCase)
        && (Variant is null || string.Equals(Variant, actual.Variant, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}
