namespace LayerLens.TestInfrastructure.Images;

/// <summary>How to export a built image.</summary>
public sealed record ImageExportOptions
{
    public ImageFormat Format { get; init; } = ImageFormat.OciLayout;

    /// <summary>Layer compression; null means the format's usual one (gzip for OCI, none for docker-archive).</summary>
    public LayerCompression? Compression { get; init; }

    /// <summary>One platform gives a single manifest; two or more give an OCI index (OCI formats only).</summary>
    public IReadOnlyList<ImagePlatform> Platforms { get; init; } = [ImagePlatform.Host];

    /// <summary>The tag written into the export (OCI ref name, docker-archive RepoTags).</summary>
    public string Tag { get; init; } = "latest";

    internal LayerCompression EffectiveCompression =>
        Compression ?? (Format == ImageFormat.DockerArchive ? LayerCompression.None : LayerCompression.Gzip);

    internal void Validate()
    {
        if (Platforms.Count == 0)
        {
            throw new ArgumentException("At least one platform is required.");
        }

        if (Platforms.Distinct().Count() != Platforms.Count)
        {
            throw new ArgumentException("Platforms must be distinct.");
        }

        if (Format == ImageFormat.DockerArchive && EffectiveCompression != LayerCompression.None)
        {
            throw new ArgumentException("docker-archive stores layers uncompressed; choose an OCI format for gzip or zstd.");
        }

        if (Format == ImageFormat.DockerArchive && Platforms.Count > 1)
        {
            throw new ArgumentException("A multi-platform index needs an OCI format.");
        }

        if (Platforms.Count > 1 && EffectiveCompression == LayerCompression.None)
        {
            throw new ArgumentException("A multi-platform index is assembled by buildah, which compresses its layers; choose gzip or zstd.");
        }
    }
}
