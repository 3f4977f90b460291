namespace LayerLens.Data.Model;

/// <summary>
/// What an image analysis found, one row per succeeded image analysis (table AnalysisImageResults). Summary numbers
/// are columns so lists and trends can be queried; their meaning is the JSON report's of the same name.
/// </summary>
public sealed class ImageResult
{
    /// <summary>The analysis this is the result of (primary key and foreign key).</summary>
    public Guid AnalysisId { get; set; }

    /// <summary>Manifest digest of the analysed image (sha256:…), when known.</summary>
    public string? ManifestDigest { get; set; }

    /// <summary>The os/arch[/variant] of the image found.</summary>
    public string? Platform { get; set; }

    public long CompressedSizeBytes { get; set; }

    public long SizeBytes { get; set; }

    public long FinalBytes { get; set; }

    public long WastedBytes { get; set; }

    public long DuplicateBytes { get; set; }

    public double Efficiency { get; set; }

    public int LayerCount { get; set; }

    public int FileCount { get; set; }

    public int WasteItemCount { get; set; }
}
