using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Images;

/// <summary>
/// Reads an OCI image layout (directory, oci-archive, or the layout Docker 25+ writes inside
/// docker-archive): index.json → (nested indexes, platform choice) → manifest → config and layers.
/// </summary>
public static class OciLayoutReader
{
    private const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    public static ResolvedImage Read(IImageFiles files, string? tag, Platform? platform, AnalysisLimits limits, string reference)
    {
        if (!files.Exists("index.json"))
        {
            throw new InvalidImageException($"{files.Name}: no index.json; not an OCI image layout");
        }
        var index = JsonBlob.Read<ImageIndex>(files, "index.json", null, limits);
        var manifests = index.Manifests ?? [];
        if (tag is not null)
        {
            manifests = manifests.Where(m => MatchesTag(m, tag)).ToList();
            if (manifests.Count == 0)
            {
                var tags = (index.Manifests ?? []).Select(m => m.Annotations?.GetValueOrDefault(RefNameAnnotation)).Where(t => t is not null);
                throw new InvalidImageException($"{files.Name}: no image tagged '{tag}'; tags present: {string.Join(", ", tags)}");
            }
        }

        var chosen = Choose(files, manifests, platform, limits, depth: 0);
        var manifest = JsonBlob.Read<ImageManifest>(files, Digests.LayoutPath(chosen.Digest!, files.Name), chosen.Digest, limits);
        return FromManifest(files, manifest, chosen.Digest, limits, reference);
    }

    private static bool MatchesTag(Descriptor d, string tag)
    {
        var name = d.Annotations?.GetValueOrDefault(RefNameAnnotation);
        return name is not null && (name == tag || name.EndsWith(":" + tag, StringComparison.Ordinal));
    }

    private static Descriptor Choose(IImageFiles files, List<Descriptor> manifests, Platform? platform, AnalysisLimits limits, int depth)
    {
        if (depth > 4)
        {
            throw new InvalidImageException($"{files.Name}: indexes nested too deeply");
        }
        if (manifests.Count == 0)
        {
            throw new InvalidImageException($"{files.Name}: the index lists no manifests");
        }
        // One entry that is itself an index (multi-platform image): descend.
        if (manifests.Count == 1 && MediaTypes.IsIndex(manifests[0].MediaType))
        {
            var nested = JsonBlob.Read<ImageIndex>(files, Digests.LayoutPath(manifests[0].Digest!, files.Name), manifests[0].Digest, limits);
            return Choose(files, nested.Manifests ?? [], platform, limits, depth + 1);
        }
        if (manifests.Count > 1 && manifests.All(m => m.Platform is null))
        {
            var tags = manifests.Select(m => m.Annotations?.GetValueOrDefault(RefNameAnnotation) ?? m.Digest);
            throw new InvalidImageException($"{files.Name}: holds {manifests.Count} images; name one with oci:DIR:TAG ({string.Join(", ", tags)})");
        }
        var chosen = PlatformSelector.Select(manifests, platform, files.Name);
        if (MediaTypes.IsIndex(chosen.MediaType))
        {
            var nested = JsonBlob.Read<ImageIndex>(files, Digests.LayoutPath(chosen.Digest!, files.Name), chosen.Digest, limits);
            return Choose(files, nested.Manifests ?? [], platform, limits, depth + 1);
        }
        return chosen;
    }

    internal static ResolvedImage FromManifest(IImageFiles files, ImageManifest manifest, string? manifestDigest, AnalysisLimits limits, string reference)
    {
        var where = $"{files.Name}: manifest {manifestDigest}";
        if (manifest.Config?.Digest is not { } configDigest)
        {
            throw new InvalidImageException($"{where}: has no config descriptor");
        }
        var configPath = Digests.LayoutPath(configDigest, where);
        if (!files.Exists(configPath))
        {
            throw new InvalidImageException($"{where}: config blob {configDigest} is missing");
        }
        var configBytes = JsonBlob.ReadBytes(files, configPath, configDigest, limits);
        var config = JsonBlob.Parse<ImageConfigFile>(configBytes, JsonBlob.Describe(files, configPath, configDigest));
        var layers = manifest.Layers ?? [];
        if (layers.Count > limits.MaxLayers)
        {
            throw new InvalidImageException($"{where}: {layers.Count} layers exceed the limit of {limits.MaxLayers}");
        }
        var diffIds = config.RootFs?.DiffIds;
        var result = new List<LayerBlob>(layers.Count);
        for (var i = 0; i < layers.Count; i++)
        {
            var d = layers[i];
            var digest = d.Digest ?? throw new InvalidImageException($"{where}: layer {i} has no digest");
            var path = Digests.LayoutPath(digest, $"{where}: layer {i}");
            if (!files.Exists(path))
            {
                var foreign = d.Urls is { Count: > 0 } ? " (a foreign layer with URLs; it is not in the archive)" : "";
                throw new InvalidImageException($"{where}: layer {i} blob {digest} is missing{foreign}");
            }
            result.Add(new LayerBlob
            {
                Index = i,
                Digest = digest,
                DiffId = diffIds is not null && i < diffIds.Count ? diffIds[i] : null,
                MediaType = d.MediaType,
                CompressedSize = files.Length(path),
                Open = _ => Task.FromResult(files.Open(path)),
            });
        }
        return new ResolvedImage(files)
        {
            Reference = reference,
            ManifestDigest = manifestDigest,
            ConfigDigest = configDigest,
            Config = config,
            ConfigBytes = configBytes,
            Layers = result,
        };
    }
}
