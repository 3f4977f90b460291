using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Images;

/// <summary>Files of an image held in a directory (an OCI layout).</summary>
public sealed class DirectoryFiles : IImageFiles
{
    private readonly string _root;

    public DirectoryFiles(string root)
    {
        _root = Path.GetFullPath(root);
    }

    public string Name => _root;

    public bool Exists(string path) => Resolve(path) is { } full && File.Exists(full);

    public long Length(string path) => Resolve(path) is { } full && File.Exists(full) ? new FileInfo(full).Length : -1;

    public Stream Open(string path)
    {
        var full = Resolve(path);
        if (full is null || !File.Exists(full))
        {
            throw new InvalidImageException($"{_root}: '{path}' is missing");
        }
        return new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
    }

    // Paths come from manifests (hostile): never let them leave the layout directory.
    private string? Resolve(string path)
    {
        var full = Path.GetFullPath(Path.Combine(_root, path));
        return full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }

    public void Dispose()
    {
    }
}
