using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Images;

/// <summary>
/// Read access to the files of an image container (a directory or an uncompressed tar archive).
/// Opened streams are independent, so layers can be read in parallel.
/// </summary>
public interface IImageFiles : IDisposable
{
    /// <summary>What to call this container in messages.</summary>
    string Name { get; }

    bool Exists(string path);

    /// <summary>Length in bytes, or -1 when the file does not exist.</summary>
    long Length(string path);

    /// <summary>Opens a file for reading; throws <see cref="InvalidImageException"/> when it is missing.</summary>
    Stream Open(string path);
}
