using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Images.Registry;

/// <summary><c>host[:port]/repo[:tag|@digest]</c>, with Docker Hub's defaults for short names.</summary>
public sealed record RegistryReference(string Host, string Repository, string Reference)
{
    public static RegistryReference Parse(string text)
    {
        var rest = text;
        string? digest = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
        }
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        string host;
        if (slash > 0 && (rest[..slash].Contains('.', StringComparison.Ordinal) || rest[..slash].Contains(':', StringComparison.Ordinal) || rest[..slash] == "localhost"))
        {
            host = rest[..slash];
            rest = rest[(slash + 1)..];
        }
        else
        {
            host = "registry-1.docker.io";
            if (!rest.Contains('/', StringComparison.Ordinal))
            {
                rest = "library/" + rest;
            }
        }
        var tag = "latest";
        var colon = rest.LastIndexOf(':');
        if (colon > 0)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
        }
        if (host == "docker.io")
        {
            host = "registry-1.docker.io";
        }
        if (rest.Length == 0 || rest.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-' or '/')))
        {
            throw new InvalidImageException($"docker://{text}: '{rest}' is not a valid repository name");
        }
        if (digest is not null && !Blobs.Digests.TryParseSha256(digest, out _))
        {
            throw new InvalidImageException($"docker://{text}: '{digest}' is not a sha256 digest");
        }
        return new RegistryReference(host, rest, digest ?? tag);
    }

    public bool IsDigest => Reference.StartsWith("sha256:", StringComparison.Ordinal);

    public override string ToString() => IsDigest ? $"{Host}/{Repository}@{Reference}" : $"{Host}/{Repository}:{Reference}";
}
