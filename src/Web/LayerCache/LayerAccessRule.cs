using System.Security.Cryptography;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Layers.Cache;
using LayerLens.Web.Storage;

namespace LayerLens.Web.LayerCache;

/// <summary>
/// Whether one analysis of one workspace may use a cached change set for a layer: only for a layer the workspace
/// has itself been granted. A cached entry says what a layer with these digests contains; it is never proof that
/// the caller could read the layer, and the digests an image names are no secret.
/// <list type="bullet">
/// <item>Registry layers: a kept-layer grant (<see cref="KeptLayerGrants"/>: this workspace downloaded exactly this
/// blob from this host/repository, verified, within <c>LayerLens:Registries:GrantDays</c>) AND the registry,
/// asked now with this analysis's credentials (HEAD, no download), still granting the blob. A HEAD alone is not
/// enough: any registry can answer 200 to every HEAD (a hostile one, or a private one whose HEAD is lax), so only
/// bytes once served count as the registry's proof; the HEAD only catches access revoked since.</item>
/// <item>Uploads (and any other local source): the upload itself holds the layer. Its blob's bytes must hash to the
/// digest the cache entry was stored under (SHA-256 of the compressed blob, nothing inflated: about 1 GB/s).
/// A forged archive naming another's layers without their bytes is then read as if nothing were cached.</item>
/// </list>
/// </summary>
public sealed class LayerAccessRule(KeptLayerGrants grants, Guid workspaceId)
{
    private const int HashBufferBytes = 1 << 20;

    public async ValueTask<bool> MayReuseAsync(LayerBlob layer, LayerCacheKey key, CancellationToken ct) =>
        layer.Origin is { } origin
            ? await RegistryGrantsAsync(layer, origin, key, ct)
            : await HoldsBytesAsync(layer, key, ct);

    private async ValueTask<bool> RegistryGrantsAsync(LayerBlob layer, string origin, LayerCacheKey key, CancellationToken ct)
    {
        if (layer.Digest != key.BlobDigest || !grants.Has(workspaceId, origin, key.BlobDigest) || layer.EnsureAccess is not { } ensure)
        {
            return false;
        }
        try
        {
            await ensure(ct);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Refused, unreachable, anything: the layer is read as a cold run reads it, and fails as that fails.
            return false;
        }
    }

    private static async ValueTask<bool> HoldsBytesAsync(LayerBlob layer, LayerCacheKey key, CancellationToken ct)
    {
        try
        {
            await using var blob = await layer.Open(ct);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[HashBufferBytes];
            int read;
            while ((read = await blob.ReadAsync(buffer, ct)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
            return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset()) == key.BlobDigest;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Missing, unreadable, or cut short: not held. The cold read reports what is wrong with it.
            return false;
        }
    }
}
