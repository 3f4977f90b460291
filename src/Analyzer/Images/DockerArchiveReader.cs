using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Images;

/// <summary>
/// Reads a docker-archive (<c>docker save</c>): layer order comes from manifest.json, in either the
/// classic shape (<c>&lt;id&gt;/layer.tar</c>) or the Docker 25+ shape (paths into <c>blobs/sha256</c>).
/// </summary>
public static class DockerArchiveReader
{
    public static ResolvedImage Read(TarArchiveFiles files, AnalysisLimits limits, string reference)
    {
        var entries = JsonBlob.Read<List<DockerArchiveManifestEntry>>(files, "manifest.json", null, limits);
        if (entries.Count == 0)
        {
            throw new InvalidImageException($"{files.Name}: manifest.json lists no images");
        }
        if (entries.Count > 1)
        {
            throw new InvalidImageException(
                $"{files.Name}: holds {entries.Count} images ({string.Join(", ", entries.Select(e => e.RepoTags?.FirstOrDefault() ?? e.Config))}); save one image per archive");
        }
        var entry = entries[0];
        var where = $"{files.Name}: manifest.json";
        var configPath = entry.Config ?? throw new InvalidImageException($"{where}: no Config");
        if (!files.Exists(configPath))
        {
            throw new InvalidImageException($"{where}: config '{configPath}' is missing");
        }
        var configDigest = DigestFromPath(configPath);
        var config = JsonBlob.Read<ImageConfigFile>(files, configPath, configDigest, limits);
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
            Layers = layers,
        };
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
