using LayerLens.Analyzer.Images.Registry;
using LayerLens.Data.Blobs;

namespace LayerLens.Web.Storage;

/// <summary>Layer blobs pulled from registries are kept in the content-addressed blob store, deduplicated with uploads.</summary>
public sealed class PulledBlobCache(BlobStore blobs) : IBlobCache
{
    public Stream? OpenCached(string digest) => blobs.OpenRead(digest);

    public Stream Capture(string digest, Stream download) => blobs.Capture(digest, download);
}
