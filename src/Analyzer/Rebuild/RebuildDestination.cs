namespace LayerLens.Analyzer.Rebuild;

public enum DestinationKind
{
    OciLayout,
    OciArchive,
}

/// <summary>Where the rebuilt image goes: <c>oci:DIR[:TAG]</c> (tag defaults to latest) or <c>oci-archive:PATH[:TAG]</c>.</summary>
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
        else
        {
            throw new ArgumentException($"--output {spec}: expected oci:DIR[:TAG] or oci-archive:PATH[:TAG] (docker-archive: and docker:// are not written yet)");
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

    public override string ToString() => (Kind == DestinationKind.OciLayout ? "oci:" : "oci-archive:") + Path + ":" + Tag;
}
