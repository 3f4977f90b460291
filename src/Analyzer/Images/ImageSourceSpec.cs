using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Images;

public enum ImageSourceKind
{
    DockerArchive,
    OciLayout,
    OciArchive,
    Registry,
}

/// <summary>
/// A parsed <c>&lt;source&gt;</c> argument: <c>docker-archive:PATH[:NAME|:@INDEX]</c>, <c>oci:DIR[:TAG]</c>,
/// <c>oci-archive:PATH[:TAG]</c>, <c>docker://REF</c>, or a bare path whose format is detected.
/// For archives, <see cref="Tag"/> is the image chosen inside (skopeo's syntax).
/// </summary>
public sealed record ImageSourceSpec(ImageSourceKind Kind, string Location, string? Tag, string Original)
{
    public static ImageSourceSpec Parse(string source)
    {
        if (string.IsNullOrWhiteSpace(source))
        {
            throw new InvalidImageException("no image source given");
        }
        if (source.StartsWith("docker://", StringComparison.Ordinal))
        {
            return new(ImageSourceKind.Registry, source["docker://".Length..], null, source);
        }
        if (source.StartsWith("docker-archive:", StringComparison.Ordinal))
        {
            var (path, choice) = SplitArchive(source["docker-archive:".Length..]);
            return new(ImageSourceKind.DockerArchive, path, choice, source);
        }
        if (source.StartsWith("oci-archive:", StringComparison.Ordinal))
        {
            var (path, tag) = SplitArchive(source["oci-archive:".Length..]);
            return new(ImageSourceKind.OciArchive, path, tag, source);
        }
        if (source.StartsWith("oci:", StringComparison.Ordinal))
        {
            var rest = source["oci:".Length..];
            // DIR may itself contain ':'; the tag is the part after the last ':' when DIR exists without it.
            var colon = rest.LastIndexOf(':');
            if (colon > 0 && !Directory.Exists(rest) && Directory.Exists(rest[..colon]))
            {
                return new(ImageSourceKind.OciLayout, rest[..colon], rest[(colon + 1)..], source);
            }
            return new(ImageSourceKind.OciLayout, rest, null, source);
        }
        return Detect(source);
    }

    // skopeo-style "archive:PATH:NAME": the path is the shortest prefix that is a file (names such as
    // "host:5000/app:1" hold colons of their own); the whole string when no prefix is.
    private static (string Path, string? Choice) SplitArchive(string location)
    {
        if (File.Exists(location))
        {
            return (location, null);
        }
        for (var colon = location.IndexOf(':'); colon > 0; colon = location.IndexOf(':', colon + 1))
        {
            if (File.Exists(location[..colon]))
            {
                var choice = location[(colon + 1)..];
                return (location[..colon], choice.Length == 0 ? null : choice);
            }
        }
        return (location, null);
    }

    private static ImageSourceSpec Detect(string path)
    {
        if (Directory.Exists(path))
        {
            if (File.Exists(Path.Combine(path, "index.json")))
            {
                return new(ImageSourceKind.OciLayout, path, null, path);
            }
            throw new InvalidImageException($"{path}: a directory without index.json is not an OCI layout");
        }
        if (!File.Exists(path))
        {
            throw new InvalidImageException($"{path}: no such file or directory (sources: docker-archive:PATH, oci:DIR[:TAG], oci-archive:PATH, docker://REF)");
        }
        // Archive kind is settled when the archive is indexed (manifest.json → docker-archive).
        return new(ImageSourceKind.DockerArchive, path, null, path) { Detected = true };
    }

    /// <summary>
    /// An archive whose kind is decided from its contents, with <paramref name="choice"/> the image inside it:
    /// a docker-archive's NAME or @INDEX when it has manifest.json, else an OCI archive's tag.
    /// </summary>
    public static ImageSourceSpec DetectedArchive(string path, string? choice, string original) =>
        new(ImageSourceKind.DockerArchive, path, choice, original) { Detected = true };

    /// <summary>True when the kind of a bare-path archive is still to be decided from its contents.</summary>
    public bool Detected { get; init; }
}
