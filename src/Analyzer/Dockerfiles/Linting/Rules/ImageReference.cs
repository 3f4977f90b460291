namespace LayerLens.Analyzer.Dockerfiles.Linting.Rules;

/// <summary>Splits an image reference into registry, repository, tag and digest (docker reference grammar, loosely).</summary>
internal readonly record struct ImageReference(string? Registry, string Repository, string? Tag, string? Digest)
{
    public static ImageReference Parse(string reference)
    {
        string? digest = null;
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = reference[(at + 1)..];
            reference = reference[..at];
        }
        string? tag = null;
        var slash = reference.LastIndexOf('/');
        var colon = reference.LastIndexOf(':');
        if (colon > slash)
        {
            tag = reference[(colon + 1)..];
            reference = reference[..colon];
        }
        string? registry = null;
        var first = reference.IndexOf('/', StringComparison.Ordinal);
        if (first > 0)
        {
            var head = reference[..first];
            if (head.Contains('.', StringComparison.Ordinal) || head.Contains(':', StringComparison.Ordinal) || head == "localhost")
            {
                registry = head;
                reference = reference[(first + 1)..];
            }
        }
        return new ImageReference(registry, reference, tag, digest);
    }
}
