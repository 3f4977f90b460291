using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Images;

/// <summary>
/// Reads a docker-archive (<c>docker save</c>): layer order comes from manifest.json, in either the
/// classic shape (<c>&lt;id&gt;/layer.tar</c>) or the Docker 25+ shape (paths into <c>blobs/sha256</c>).
/// An archive of several images (<c>docker save a b</c>) needs a choice: <c>docker-archive:PATH:NAME</c>
/// (a tag of RepoTags) or <c>docker-archive:PATH:@INDEX</c>, as skopeo spells it.
/// </summary>
public static class DockerArchiveReader
{
    public static ResolvedImage Read(TarArchiveFiles files, AnalysisLimits limits, string reference, string? choice = null)
    {
        var entries = JsonBlob.Read<List<DockerArchiveManifestEntry>>(files, "manifest.json", null, limits);
        if (entries.Count == 0)
        {
            throw new InvalidImageException($"{files.Name}: manifest.json lists no images");
        }
        CheckShape(files.Name, entries);
        var entry = Choose(files.Name, entries, choice);
        var where = $"{files.Name}: manifest.json";
        var configPath = entry.Config ?? throw new InvalidImageException($"{where}: no Config");
        if (!files.Exists(configPath))
        {
            throw new InvalidImageException($"{where}: config '{configPath}' is missing");
        }
        var configDigest = DigestFromPath(configPath);
        var configBytes = JsonBlob.ReadBytes(files, configPath, configDigest, limits);
        var config = JsonBlob.Parse<ImageConfigFile>(configBytes, JsonBlob.Describe(files, configPath, configDigest));
        var layerPaths = entry.Layers ?? [];
        if (layerPaths.Count > limits.MaxLayers)
        {
            throw new InvalidImageException($"{where}: {layerPaths.Count} layers exceed the limit of {limits.MaxLayers}");
        }
        var diffIds = config.RootFs?.DiffIds;
        var layers = new List<LayerBlob>(layerPaths.Count);
        for (var i = 0; i < layerPaths.Count; i++)
        {
            var path = layerPaths[i];
            if (!files.Exists(path))
            {
                throw new InvalidImageException($"{where}: layer {i} '{path}' is missing from the archive");
            }
            layers.Add(new LayerBlob
            {
                Index = i,
                Digest = DigestFromPath(path),
                DiffId = diffIds is not null && i < diffIds.Count ? diffIds[i] : null,
                MediaType = null,
                CompressedSize = files.Length(path),
                Open = _ => Task.FromResult(files.Open(path)),
            });
        }
        return new ResolvedImage(files)
        {
            Reference = reference,
            ManifestDigest = null,
            ConfigDigest = configDigest,
            Config = config,
            ConfigBytes = configBytes,
            Layers = layers,
        };
    }

    /// <summary>JSON nulls where docker writes an object or a string (e.g. <c>[null]</c>) are a malformed manifest, not a crash.</summary>
    private static void CheckShape(string archive, List<DockerArchiveManifestEntry> entries)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry is null)
            {
                throw new InvalidImageException($"{archive}: manifest.json: image @{i} is null, not an object with Config, RepoTags and Layers");
            }
            if (entry.RepoTags?.Contains(null!) == true)
            {
                throw new InvalidImageException($"{archive}: manifest.json: image @{i} has a null in RepoTags");
            }
            if (entry.Layers?.Contains(null!) == true)
            {
                throw new InvalidImageException($"{archive}: manifest.json: image @{i} has a null in Layers");
            }
        }
    }

    private static DockerArchiveManifestEntry Choose(string archive, List<DockerArchiveManifestEntry> entries, string? choice)
    {
        if (choice is null)
        {
            if (entries.Count == 1)
            {
                return entries[0];
            }
            throw new InvalidImageException($"{archive}: holds {entries.Count} images; choose one with docker-archive:PATH:NAME or docker-archive:PATH:@INDEX ({Describe(entries)})");
        }
        if (choice.StartsWith('@'))
        {
            if (int.TryParse(choice[1..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && index < entries.Count)
            {
                return entries[index];
            }
            throw new InvalidImageException($"{archive}: no image at index {choice}; it holds {entries.Count} ({Describe(entries)})");
        }
        var wanted = NormalizeName(choice);
        var matches = entries.Where(e => e.RepoTags?.Any(t => NormalizeName(t) == wanted) == true).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new InvalidImageException($"{archive}: no image tagged '{choice}' ({Describe(entries)})"),
            // Two entries under one tag is a malformed archive; refuse rather than guess.
            _ => throw new InvalidImageException($"{archive}: {matches.Count} images are tagged '{choice}'; choose by index ({Describe(entries)})"),
        };
    }

    private static string Describe(List<DockerArchiveManifestEntry> entries) =>
        string.Join("; ", entries.Select((e, i) => $"@{i}: " + (e.RepoTags is { Count: > 0 } tags ? string.Join(", ", tags) : "untagged")));

    /// <summary>
    /// One spelling per image name, as docker resolves them: <c>alpine</c> = <c>alpine:latest</c> =
    /// <c>docker.io/library/alpine:latest</c>.
    /// </summary>
    internal static string NormalizeName(string name)
    {
        var lastSlash = name.LastIndexOf('/');
        if (name.IndexOf(':', lastSlash + 1) < 0 && !name.Contains('@', StringComparison.Ordinal))
        {
            name += ":latest";
        }
        foreach (var prefix in (string[])["docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"])
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return name[prefix.Length..];
            }
        }
        return name;
    }

    /// <summary><c>blobs/sha256/HEX</c> (Docker 25+) and <c>HEX.json</c> (classic config) name their digest.</summary>
    private static string? DigestFromPath(string path)
    {
        string? hex = null;
        if (path.StartsWith("blobs/sha256/", StringComparison.Ordinal))
        {
            hex = path["blobs/sha256/".Length..];
        }
        else if (path.EndsWith(".json", StringComparison.Ordinal) && !path.Contains('/'))
        {
            hex = path[..^5];
        }
        return hex is not null && Digests.TryParseSha256("sha256:" + hex, out _) ? "sha256:" + hex : null;
    }
}
