using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Images.Registry;

/// <summary>
/// <c>host[:port]/repo[:tag|@digest]</c>, normalised the way Docker does: Docker Hub (<c>docker.io</c>,
/// <c>index.docker.io</c> or no host) is <see cref="DockerHub"/>, a one-component Hub name gets <c>library/</c>,
/// and the host is lowercased (DNS names are case-insensitive), so one image has one spelling.
/// </summary>
public sealed record RegistryReference(string Host, string Repository, string Reference)
{
    /// <summary>Docker Hub's registry API host: the stored spelling of docker.io.</summary>
    public const string DockerHub = "registry-1.docker.io";

    /// <summary>
    /// Docker's rule: the first component names a registry when it has a '.' or ':', is "localhost", or has an
    /// uppercase letter (repositories are lowercase); otherwise the name is on Docker Hub.
    /// </summary>
    public static bool NamesHost(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return false;
        }
        var first = text[..slash];
        return first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal)
            || first == "localhost" || first.Any(char.IsAsciiLetterUpper);
    }

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
        string host;
        if (NamesHost(rest))
        {
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            host = rest[..slash].ToLowerInvariant();
            rest = rest[(slash + 1)..];
        }
        else
        {
            host = DockerHub;
        }
        var tag = "latest";
        var colon = rest.LastIndexOf(':');
        if (colon > 0)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
        }
        if (host is "docker.io" or "index.docker.io")
        {
            host = DockerHub;
        }
        if (host == DockerHub && rest.Length > 0 && !rest.Contains('/', StringComparison.Ordinal))
        {
            rest = "library/" + rest;
        }
        if (rest.Length == 0 || rest.Split('/').Any(part => part.Length == 0)
            || rest.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-' or '/')))
        {
            throw new InvalidImageException($"docker://{text}: '{rest}' is not a valid repository name");
        }
        if (host.Length == 0 || host.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-' or ':' or '[' or ']')))
        {
            throw new InvalidImageException($"docker://{text}: '{host}' is not a valid registry host");
        }
        // Docker's tag grammar: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
        if (tag.Length is 0 or > 128 || tag[0] is '.' or '-' || tag.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-')))
        {
            throw new InvalidImageException($"docker://{text}: '{tag}' is not a valid tag");
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
