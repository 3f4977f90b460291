namespace LayerLens.Analyzer.Waste;

public enum WasteKind
{
    /// <summary>A file version shadowed by a later write of the same path.</summary>
    Overwritten,
    /// <summary>An overwrite whose content is identical (chmod/chown/touch copies).</summary>
    MetadataOnly,
    /// <summary>Removed by a later whiteout or opaque marker.</summary>
    Deleted,
    /// <summary>Visible content also visible at another path.</summary>
    Duplicate,
    /// <summary>Visible caches and build leftovers.</summary>
    Junk,
}

public static class WasteKindNames
{
    /// <summary>The names docs/numbers.md ("Waste items") uses in reports.</summary>
    public static string ToReportName(this WasteKind kind) => kind switch
    {
        WasteKind.Overwritten => "overwritten",
        WasteKind.MetadataOnly => "metadataOnly",
        WasteKind.Deleted => "deleted",
        WasteKind.Duplicate => "duplicate",
        _ => "junk",
    };
}
