using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Images.Registry;

/// <summary>Resolves <c>docker://REF</c>: manifest (or index → platform → manifest), config, and streamed layer blobs.</summary>
public static class RegistryImageReader
{
    public static async Task<ResolvedImage> ReadAsync(string text, ImageOpenOptions options, CancellationToken ct, HttpMessageHandler? handler = null)
    {
        var reference = RegistryReference.Parse(text);
        var client = new RegistryClient(reference, options.Registry, handler);
        try
        {
            var limits = options.Limits;
            var (body, mediaType, digest) = await client.GetManifestAsync(reference.Reference, limits.MaxJsonBytes, ct);
            var what = $"{reference}: manifest";
            var actualDigest = Sha256(body);
            if (reference.IsDigest && actualDigest != reference.Reference)
            {
                throw new InvalidImageException($"{what}: digest mismatch, asked for {reference.Reference} but content is {actualDigest}");
            }
            var manifest = JsonBlob.Parse<ImageManifest>(body, what);
            mediaType = manifest.MediaType ?? mediaType;
            for (var depth = 0; MediaTypes.IsIndex(mediaType) || manifest.Manifests is not null && manifest.Config is null; depth++)
            {
                if (depth > 2)
                {
                    throw new InvalidImageException($"{what}: indexes nested too deeply");
                }
                var chosen = PlatformSelector.Select(manifest.Manifests ?? [], options.Platform, reference.ToString());
                (body, _, _) = await client.GetManifestAsync(chosen.Digest!, limits.MaxJsonBytes, ct);
                JsonBlob.VerifyDigest(body, chosen.Digest!, $"{reference}: manifest {chosen.Digest}");
                actualDigest = chosen.Digest!;
                manifest = JsonBlob.Parse<ImageManifest>(body, $"{reference}: manifest {chosen.Digest}");
                mediaType = manifest.MediaType ?? chosen.MediaType;
            }
            _ = digest;

            var configDigest = manifest.Config?.Digest ?? throw new InvalidImageException($"{what}: has no config descriptor");
            var configBytes = await client.GetSmallBlobAsync(configDigest, limits.MaxJsonBytes, ct);
            JsonBlob.VerifyDigest(configBytes, configDigest, $"{reference}: config blob {configDigest}");
            var config = JsonBlob.Parse<ImageConfigFile>(configBytes, $"{reference}: config blob {configDigest}");

            var descriptors = manifest.Layers ?? [];
            if (descriptors.Count > limits.MaxLayers)
            {
                throw new InvalidImageException($"{what}: {descriptors.Count} layers exceed the limit of {limits.MaxLayers}");
            }
            // Each layer's uncompressed content is checked against its diff_id; a config that leaves them out
            // would let a manifest name any blob unchecked, so it is not an image this reader accepts.
            var diffIds = config.RootFs?.DiffIds ?? [];
            if (diffIds.Count != descriptors.Count)
            {
                throw new InvalidImageException(
                    $"{reference}: config blob {configDigest}: rootfs.diff_ids lists {diffIds.Count} layer id(s) but the manifest has {descriptors.Count} layer(s); every layer needs its diff_id");
            }
            var origin = reference.Host.ToLowerInvariant() + "/" + reference.Repository;
            var layers = new List<LayerBlob>();
            for (var i = 0; i < descriptors.Count; i++)
            {
                var layerDigest = descriptors[i].Digest ?? throw new InvalidImageException($"{what}: layer {i} has no digest");
                Digests.ParseSha256(layerDigest, $"{what}: layer {i}");
                var layerSize = descriptors[i].Size > 0 ? descriptors[i].Size : -1;
                layers.Add(new LayerBlob
                {
                    Index = i,
                    Digest = layerDigest,
                    DiffId = diffIds[i],
                    MediaType = descriptors[i].MediaType,
                    CompressedSize = layerSize,
                    Open = token => OpenLayerAsync(client, options.Registry.BlobCache, origin, layerDigest, layerSize, token),
                    Origin = origin,
                    EnsureAccess = token => client.EnsureBlobAccessAsync(layerDigest, token),
                });
            }
            return new ResolvedImage(client)
            {
                Reference = "docker://" + reference,
                ManifestDigest = actualDigest,
                ConfigDigest = configDigest,
                Config = config,
                ConfigBytes = configBytes,
                Layers = layers,
            };
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A kept copy when the cache holds one downloaded from this same repository and the registry still grants
    /// the blob; otherwise the download, kept as it is read.
    /// </summary>
    private static async Task<Stream> OpenLayerAsync(RegistryClient client, IBlobCache? cache, string origin, string digest, long size, CancellationToken ct)
    {
        if (cache is null)
        {
            return await client.OpenBlobAsync(digest, size, ct);
        }
        if (cache.OpenCached(origin, digest) is { } kept)
        {
            // Kept from an earlier download from this repository: still served only when this registry,
            // with these credentials, grants it today (access can be revoked).
            try
            {
                await client.EnsureBlobAccessAsync(digest, ct);
            }
            catch
            {
                await kept.DisposeAsync();
                throw;
            }
            return kept;
        }
        return cache.Capture(origin, digest, await client.OpenBlobAsync(digest, size, ct));
    }

    private static string Sha256(byte[] bytes) =>
        "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
}
