namespace LayerLens.Analyzer.Rebuild;

public enum DestinationKind
{
    OciLayout,
    OciArchive,
    DockerArchive,
}

/// <summary>
/// Where the rebuilt image goes: <c>oci:DIR[:TAG]</c>, <c>oci-archive:PATH[:TAG]</c> (tag defaults to latest) or
/// <c>docker-archive:PATH[:NAME]</c> (NAME such as <c>example.com/app:slim</c> becomes the archive's RepoTags;
/// <see cref="Tag"/> holds it, empty when none; the path ends at the first ':').
/// </summary>
public sealed record RebuildDestination(DestinationKind Kind, string Path, string Tag)
{
    public static RebuildDestination Parse(string spec)
    {
        DestinationKind kind;
        string rest;
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
            throw new ArgumentException($"--output {spec}: expected oci:DIR[:TAG], oci-archive:PATH[:TAG] or docker-archive:PATH[:NAME] (docker:// is not written yet)");
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

    public bool Exists => Directory.Exists(Path) || File.Exists(Path);

    /// <summary>The ref name inside the layout written (and proved) before publishing.</summary>
    public string LayoutTag => Kind == DestinationKind.DockerArchive ? "rebuilt" : Tag;

    public override string ToString() => Kind switch
    {
        DestinationKind.OciLayout => $"oci:{Path}:{Tag}",
        DestinationKind.OciArchive => $"oci-archive:{Path}:{Tag}",
        _ => Tag.Length == 0 ? $"docker-archive:{Path}" : $"docker-archive:{Path}:{Tag}",
    };
}
