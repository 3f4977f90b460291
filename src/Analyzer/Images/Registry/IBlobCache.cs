namespace LayerLens.Analyzer.Images.Registry;

/// <summary>
/// Where a service keeps the layer blobs it pulled, so analysing the same image again reads them
/// from disk instead of the registry. The engine verifies every blob's digest while reading it,
/// whichever way it came.
/// </summary>
public interface IBlobCache
{
    /// <summary>The kept blob, or null when it was never pulled (or has been removed).</summary>
    Stream? OpenCached(string digest);

    /// <summary>Wraps a download: its bytes are kept once it has been read to the end and its digest checks out.</summary>
    Stream Capture(string digest, Stream download);
}
