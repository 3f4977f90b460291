namespace LayerLens.Analyzer.Sarif;

/// <summary>A rule of the tool driver; the optional parts are written only when set, in SARIF's order.</summary>
public sealed record SarifRule(string Id, string ShortDescription)
{
    public string? Name { get; init; }

    public string? FullDescription { get; init; }

    /// <summary>help.text and help.markdown, written together when <see cref="HelpText"/> is set.</summary>
    public string? HelpText { get; init; }

    public string? HelpMarkdown { get; init; }

    /// <summary>defaultConfiguration.level: error, warning or note.</summary>
    public string? DefaultLevel { get; init; }

    public IReadOnlyList<SarifProperty>? Properties { get; init; }
}

/// <summary>A property bag entry: a string (null allowed) or a whole number.</summary>
public sealed record SarifProperty(string Name, object? Value);
