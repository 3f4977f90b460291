namespace LayerLens.TestInfrastructure.Images;

/// <summary>How layer blobs of an OCI export are compressed.</summary>
public enum LayerCompression
{
    None,
    Gzip,
    Zstd,
}
