namespace LayerLens.Analyzer.Images.Registry;

/// <summary>
/// Where a service keeps the layer blobs it pulled, so analysing the same image again reads them
/// from disk instead of the registry. The engine verifies every blob's digest while reading it,
/// whichever way it came. <c>repository</c> is the registry host and repository name the pull reads
/// from (<c>host/name</c>): a kept blob proves its content, not that a pull from elsewhere may read it,
/// so a cache serves a blob only to pulls that earlier downloaded it from that same repository.
/// </summary>
public interface IBlobCache
{
    /// <summary>The kept blob, or null when it was never downloaded from <paramref name="repository"/> by this cache's owner (or has been removed).</summary>
    Stream? OpenCached(string repository, string digest);

    /// <summary>Wraps a download from <paramref name="repository"/>: its bytes are kept once it has been read to the end and its digest checks out.</summary>
    Stream Capture(string repository, string digest, Stream download);
}
