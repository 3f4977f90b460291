namespace LayerLens.TestInfrastructure.Images;

/// <summary>The on-disk shapes the image engine must read.</summary>
public enum ImageFormat
{
    /// <summary>A <c>docker save</c>-style tarball (<c>manifest.json</c>, uncompressed layers).</summary>
    DockerArchive,

    /// <summary>An OCI image layout directory (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/</c>).</summary>
    OciLayout,

    /// <summary>An OCI image layout packed in one tarball.</summary>
    OciArchive,
}
