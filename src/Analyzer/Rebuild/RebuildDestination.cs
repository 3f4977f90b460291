using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images.Registry;

namespace LayerLens.Analyzer.Rebuild;

public enum DestinationKind
{
    OciLayout,
    OciArchive,
    DockerArchive,
    Registry,
}

/// <summary>
/// Where the rebuilt image goes: <c>oci:DIR[:TAG]</c>, <c>oci-archive:PATH[:TAG]</c> (tag defaults to latest) or
/// <c>docker-archive:PATH[:NAME]</c> (NAME such as <c>example.com/app:slim</c> becomes the archive's RepoTags;
/// <see cref="Tag"/> holds it, empty when none; the path ends at the first ':'), or <c>docker://REF</c> (a tag:
/// the digest is the registry's answer; <see cref="Registry"/> holds it, <see cref="Path"/> is empty).
/// </summary>
public sealed record RebuildDestination(DestinationKind Kind, string Path, string Tag)
{
    /// <summary>The registry, repository and tag pushed to; null for the file destinations.</summary>
    public RegistryReference? Registry { get; init; }

    public static RebuildDestination Parse(string spec)
    {
        DestinationKind kind;
        string rest;
        if (spec.StartsWith("docker://", StringComparison.Ordinal))
        {
            RegistryReference reference;
            try
            {
                reference = RegistryReference.Parse(spec["docker://".Length..]);
            }
            catch (InvalidImageException ex)
            {
                throw new ArgumentException($"--output {ex.Message}", ex);
            }
            if (reference.IsDigest)
            {
                throw new ArgumentException($"--output {spec}: name a tag; the pushed image's digest is the registry's answer");
            }
            return new RebuildDestination(DestinationKind.Registry, "", reference.Reference) { Registry = reference };
        }
        if (spec.StartsWith("oci:", StringComparison.Ordinal))
        {
            (kind, rest) = (DestinationKind.OciLayout, spec[4..]);
        }
        else if (spec.StartsWith("oci-archive:", StringComparison.Ordinal))
        {
            (kind, rest) = (DestinationKind.OciArchive, spec["oci-archive:".Length..]);
        }
        else if (spec.StartsWith("docker-archive:", StringComparison.Ordinal))
        {
            var rest2 = spec["docker-archive:".Length..];
            var first = rest2.IndexOf(':');
            var path = first < 0 ? rest2 : rest2[..first];
            var name = first < 0 ? "" : rest2[(first + 1)..];
            if (path.Length == 0 || name.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) || first >= 0 && name.Length == 0)
            {
                throw new ArgumentException($"--output {spec}: needs a path and, if given, a name without spaces or control characters");
            }
            return new RebuildDestination(DestinationKind.DockerArchive, System.IO.Path.GetFullPath(path), name);
        }
        else
        {
            throw new ArgumentException($"--output {spec}: expected oci:DIR[:TAG], oci-archive:PATH[:TAG], docker-archive:PATH[:NAME] or docker://REF");
        }
        var tag = "latest";
        var colon = rest.LastIndexOf(':');
        if (colon > 0 && rest.IndexOf('/', colon) < 0)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
        }
        if (rest.Length == 0 || tag.Length == 0 || tag.Any(c => char.IsControl(c) || c == '/'))
        {
            throw new ArgumentException($"--output {spec}: needs a path and a tag without '/' or control characters");
        }
        return new RebuildDestination(kind, System.IO.Path.GetFullPath(rest), tag);
    }

    /// <summary>Whether the file destination exists (a registry tag is asked of the registry).</summary>
    public bool Exists => Kind != DestinationKind.Registry && (Directory.Exists(Path) || File.Exists(Path));

    /// <summary>The ref name inside the layout written (and proved) before publishing.</summary>
    public string LayoutTag => Kind is DestinationKind.DockerArchive or DestinationKind.Registry ? "rebuilt" : Tag;

    public override string ToString() => Kind switch
    {
        DestinationKind.OciLayout => $"oci:{Path}:{Tag}",
        DestinationKind.OciArchive => $"oci-archive:{Path}:{Tag}",
        DestinationKind.Registry => $"docker://{Registry}",
        _ => Tag.Length == 0 ? $"docker-archive:{Path}" : $"docker-archive:{Path}:{Tag}",
    };
}
