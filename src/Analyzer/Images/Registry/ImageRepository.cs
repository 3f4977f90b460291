using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Images.Registry;

/// <summary>
/// "Every version of this image": a repository named as <c>registry/team/app</c>, <c>team/app</c> or <c>app</c>,
/// optionally with a tag or digest that is ignored. Normalised by <see cref="RegistryReference.Parse"/>, the one
/// place that knows Docker's rules. Without a registry the name matches that repository on any registry (a CI
/// user types the name their pipeline pushes, whatever registry it pushes to); <c>app</c> also means Hub's <c>library/app</c>.
/// </summary>
public sealed record ImageRepository(string Host, string Path, bool HostGiven, string TypedPath)
{
    /// <summary>Longest filter accepted: the longest stored reference.</summary>
    public const int MaxLength = 2048;

    public static ImageRepository Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InvalidImageException("no repository given");
        }
        text = text.Trim();
        if (text.Length > MaxLength)
        {
            throw new InvalidImageException($"longer than {MaxLength} characters");
        }
        if (text.Contains("://", StringComparison.Ordinal))
        {
            throw new InvalidImageException($"'{text}' has a scheme; name the repository as registry/team/app");
        }
        var reference = RegistryReference.Parse(text);
        var hostGiven = RegistryReference.NamesHost(text);
        // The path as written without a host: "nginx" stays "nginx" for other registries' top-level repositories.
        var typed = hostGiven ? reference.Repository : RepositoryPart(text);
        return new ImageRepository(reference.Host, reference.Repository, hostGiven, typed);
    }

    /// <summary>True when the host is Docker Hub (given or implied).</summary>
    public bool OnDockerHub => Host == RegistryReference.DockerHub;

    /// <summary>
    /// How a user or <c>docker save</c> may spell this repository in an image name (an upload's name or
    /// RepoTag): Hub's short forms and its host aliases too. Lowercase; a name matches when it is one of these
    /// or one of these followed by <c>:tag</c> or <c>@digest</c>.
    /// </summary>
    public IReadOnlyList<string> Spellings()
    {
        if (!OnDockerHub)
        {
            return [$"{Host}/{Path}"];
        }
        var paths = new List<string> { Path };
        if (Path.StartsWith("library/", StringComparison.Ordinal))
        {
            paths.Add(Path["library/".Length..]);
        }
        string[] prefixes = ["", "docker.io/", "index.docker.io/", RegistryReference.DockerHub + "/"];
        return [.. paths.SelectMany(path => prefixes.Select(prefix => prefix + path)).Distinct()];
    }

    public override string ToString() => HostGiven ? $"{Host}/{Path}" : TypedPath;

    private static string RepositoryPart(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var name = at >= 0 ? text[..at] : text;
        var colon = name.LastIndexOf(':');
        return colon > 0 ? name[..colon] : name;
    }
}
