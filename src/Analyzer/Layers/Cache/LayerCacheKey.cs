using System.Globalization;
using System.IO.Hashing;
using System.Text;
using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Layers.Cache;

/// <summary>
/// What names one cached layer result: the blob's digest, its diff_id (sha256 of the uncompressed tar), the
/// engine's result format, and the per-layer limits it was read under (a layer that passed looser limits is read
/// again under stricter ones, so it fails exactly as a cold read would).
/// </summary>
public readonly record struct LayerCacheKey(string BlobDigest, string DiffId, int FormatVersion, string LimitsId)
{
    /// <summary>Bumped whenever what the engine learns from a layer, or how it is stored, changes.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>
    /// The key a layer claims before any of its bytes is read: null when it names no diff_id, or no blob digest and
    /// <paramref name="uncompressedBlob"/> is false. A classic docker-archive layer names only its diff_id; when its
    /// blob is an uncompressed tar (the engine sniffs the first bytes), its blob digest is that diff_id.
    /// </summary>
    public static LayerCacheKey? Claimed(LayerBlob layer, AnalysisLimits limits, bool uncompressedBlob = false)
    {
        if (layer.DiffId is not { } diffId || !Digests.TryParseSha256(diffId, out _))
        {
            return null;
        }
        var blob = layer.Digest ?? (uncompressedBlob ? diffId : null);
        if (blob is null || !Digests.TryParseSha256(blob, out _))
        {
            return null;
        }
        return new LayerCacheKey(blob, diffId, CurrentFormatVersion, LimitsIdOf(limits));
    }

    /// <summary>The key of content that was read and verified: its computed digests.</summary>
    public static LayerCacheKey Verified(string blobDigest, string diffId, AnalysisLimits limits) =>
        new(blobDigest, diffId, CurrentFormatVersion, LimitsIdOf(limits));

    /// <summary>The per-layer limits that can refuse a layer, as 16 hex digits.</summary>
    public static string LimitsIdOf(AnalysisLimits limits)
    {
        var text = string.Join('|',
            limits.MaxLayerUncompressedBytes.ToString(CultureInfo.InvariantCulture),
            limits.MaxEntriesPerLayer.ToString(CultureInfo.InvariantCulture),
            limits.MaxPathLength.ToString(CultureInfo.InvariantCulture),
            limits.MaxCompressionRatio.ToString("R", CultureInfo.InvariantCulture),
            limits.CompressionRatioGraceBytes.ToString(CultureInfo.InvariantCulture));
        return XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(text)).ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>One line naming every part (stored in an entry's header and hashed into its file name).</summary>
    public override string ToString() => $"{BlobDigest} {DiffId} v{FormatVersion} limits {LimitsId}";
}
