namespace LayerLens.TestInfrastructure.Images;

/// <summary>A built and exported test image on disk (in the shared cache: treat it as read-only).</summary>
public sealed record ImageExport(
    string Path,
    ImageFormat Format,
    LayerCompression Compression,
    IReadOnlyList<ImagePlatform> Platforms,
    string Tag,
    string RepositoryName,
    bool FromCache)
{
    /// <summary>True when the export is an OCI index over several platforms.</summary>
    public bool IsMultiPlatform => Platforms.Count > 1;

    /// <summary>The image reference as skopeo and buildah spell it (transport:path[:tag]).</summary>
    public string TransportReference => Format switch
    {
        ImageFormat.DockerArchive => $"docker-archive:{Path}",
        ImageFormat.OciLayout => $"oci:{Path}:{Tag}",
        ImageFormat.OciArchive => $"oci-archive:{Path}:{Tag}",
        _ => throw new InvalidOperationException($"Unknown format {Format}."),
    };
}
