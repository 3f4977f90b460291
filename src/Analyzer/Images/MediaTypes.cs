namespace LayerLens.Analyzer.Images;

/// <summary>Manifest and index media types of OCI and Docker schema 2.</summary>
public static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

    public static bool IsIndex(string? mediaType) =>
        mediaType is OciIndex or DockerManifestList;

    public static bool IsManifest(string? mediaType) =>
        mediaType is OciManifest or DockerManifest;

    /// <summary>The Accept header a registry needs to return any of the types we read.</summary>
    public static readonly string[] AllManifestTypes = [OciIndex, DockerManifestList, OciManifest, DockerManifest];
}
