using LayerLens.Analyzer.Images.Registry;
using LayerLens.Data.Blobs;

namespace LayerLens.Web.Storage;

/// <summary>
/// Layer blobs pulled from registries are kept in the content-addressed blob store (deduplicated with uploads),
/// but served back only to the workspace that downloaded them, for the repository it downloaded them from
/// (<see cref="KeptLayerGrants"/>). Another workspace, another repository, or a digest that only an upload
/// stored, always goes to its registry, which must then serve the bytes itself.
/// </summary>
public sealed class PulledBlobCache(BlobStore blobs, KeptLayerGrants grants, Guid workspaceId) : IBlobCache
{
    public Stream? OpenCached(string repository, string digest) =>
        grants.Has(workspaceId, repository, digest) ? blobs.OpenRead(digest) : null;

    public Stream Capture(string repository, string digest, Stream download) =>
        
        // The grant is recorded only once the download was read whole, matched its digest and was kept.
        blobs.Capture(digest, download, () => grants.Record(workspaceId, repository, digest));
}
