using static LayerLens.Analyzer.BuildContexts.Archives.ContextPaths;

namespace LayerLens.Analyzer.BuildContexts.Archives;

/// <summary>
/// Checks each archive entry (and, when a target is given, writes it there). A <see cref="ContextEntryMap"/> of
/// everything the archive made — not the disk — decides: an entry is written only below
/// directories the extraction itself created, never through a symbolic link; a hard link is a copy of the
/// bytes the archive wrote for the file it names; every symbolic link is resolved against the finished map
/// (following the archive's other links, as the kernel would) and refused when it leaves the root. Version
/// control metadata (.git, .hg, …) is dropped, so no tool can later honour configuration hidden in it.
/// Bounded counts and unpacked bytes; every refusal names the entry. Writes go through <see cref="ContextDisk"/>,
/// which checks each path on disk once more.
/// </summary>
internal sealed class ContextSink(string? target, ContextLimits limits, long archiveBytes, CancellationToken cancellationToken)
{
    private readonly ContextEntryMap _map = new();
    private readonly ContextDisk? _disk = target is null ? null : new ContextDisk(target);
    private readonly byte[] _buffer = new byte[81920];

    public ContextLimits Limits => limits;

    public int Entries { get; private set; }

    public long ExpandedBytes { get; private set; }

    /// <summary>Entries left out because they are (or lie below) version-control metadata.</summary>
    public int SkippedMetadata { get; private set; }

    public void Directory(string name)
    {
        var path = Admit(name);
        if (path is null or { Length: 0 })
        {
            return;
        }
        Parents(name, path);
        switch (_map[path]?.Kind)
        {
            case ContextEntryKind.Directory:
                return;
            case ContextEntryKind.Symlink:
                throw Refusal(name, "is a directory over the symbolic link of the same name");
            case ContextEntryKind.File:
                throw Refusal(name, "is a directory over a file of the same name");
        }
        if (target is not null)
        {
            System.IO.Directory.CreateDirectory(_disk!.Checked(path, ContextEntryKind.Directory, mayExist: false));
        }
        _map[path] = new ContextEntry(ContextEntryKind.Directory);
    }

    public void File(string name, Stream? content, int mode)
    {
        var path = Admit(name);
        if (path is null)
        {
            return;
        }
        if (path.Length == 0)
        {
            throw Refusal(name, "is a file at the root of the context");
        }
        Parents(name, path);
        Replace(name, path);
        Stream output = Stream.Null;
        var before = ExpandedBytes;
        try
        {
            if (target is not null)
            {
                output = new FileStream(_disk!.Checked(path, ContextEntryKind.File, mayExist: false), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);
            }
            if (content is not null)
            {
                Pump(name, content, output);
            }
        }
        finally
        {
            output.Dispose();
        }
        _map[path] = new ContextEntry(ContextEntryKind.File, Size: ExpandedBytes - before);
        if (target is not null && OperatingSystem.IsLinux() && mode != 0)
        {
            // Keep the execute bits: a build runs the context's scripts.
            System.IO.File.SetUnixFileMode(_disk!.Checked(path, ContextEntryKind.File, mayExist: true), (UnixFileMode)(mode & 0x1FF) | UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public void SymbolicLink(string name, string linkTarget)
    {
        var path = Admit(name);
        if (path is null)
        {
            return;
        }
        if (path.Length == 0)
        {
            throw Refusal(name, "is a link at the root of the context");
        }
        if (IsBuildControlFile(path))
        {
            throw Refusal(name, "is a symbolic link; a Dockerfile or .dockerignore in the build context must be a regular file (it would be read through the link)");
        }
        if (linkTarget.Length == 0 || linkTarget.StartsWith('/'))
        {
            throw Refusal(name, $"is a symbolic link to '{Printable(linkTarget)}', outside the build context (absolute targets are refused)");
        }
        if (linkTarget.Length > limits.MaxPathLength || linkTarget.Contains('\0', StringComparison.Ordinal))
        {
            throw Refusal(name, "is a symbolic link with a target that is too long or holds a NUL character");
        }
        Parents(name, path);
        Replace(name, path);
        _map[path] = new ContextEntry(ContextEntryKind.Symlink, linkTarget);
        // Refuse early what already escapes; links that only escape once later entries exist are caught by Finish.
        if (_map.Resolve(path) is null)
        {
            throw Escapes(name, linkTarget);
        }
        if (target is not null)
        {
            System.IO.File.CreateSymbolicLink(_disk!.Checked(path, ContextEntryKind.Symlink, mayExist: false), linkTarget);
        }
    }

    public void HardLink(string name, string linkTarget)
    {
        var path = Admit(name);
        if (path is null)
        {
            return;
        }
        if (path.Length == 0)
        {
            throw Refusal(name, "is a link at the root of the context");
        }
        var source = Normalize(linkTarget.TrimStart('/'));
        if (source is null || source.Length == 0)
        {
            throw Refusal(name, $"is a hard link to '{Printable(linkTarget)}', outside the build context");
        }
        if (IsMetadata(source))
        {
            throw Refusal(name, $"is a hard link to '{Printable(linkTarget)}', version-control metadata the context drops");
        }
        // The named entry itself, never a path resolved through a link: a link component means it is not in the map.
        var sourceNode = _map[source];
        switch (sourceNode?.Kind)
        {
            case ContextEntryKind.File:
                break;
            case ContextEntryKind.Symlink:
                throw Refusal(name, $"is a hard link to the symbolic link '{Printable(linkTarget)}'; only files may be hard-linked");
            case ContextEntryKind.Directory:
                throw Refusal(name, $"is a hard link to the directory '{Printable(linkTarget)}'; only files may be hard-linked");
            default:
                throw Refusal(name, $"is a hard link to '{Printable(linkTarget)}', which is not a file earlier in the archive");
        }
        if (source == path)
        {
            return;
        }
        Parents(name, path);
        Replace(name, path);
        // A copy of the bytes the archive wrote there (opened only after checking no component is a link).
        if (target is not null)
        {
            using var input = new FileStream(_disk!.Checked(source, ContextEntryKind.File, mayExist: true), FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
            using var output = new FileStream(_disk!.Checked(path, ContextEntryKind.File, mayExist: false), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);
            Pump(name, input, output);
            if (OperatingSystem.IsLinux())
            {
                System.IO.File.SetUnixFileMode(output.SafeFileHandle, System.IO.File.GetUnixFileMode(input.SafeFileHandle));
            }
        }
        else
        {
            // Validating only: the copy would be this many bytes; count them so intake refuses what extraction would.
            ExpandedBytes += sourceNode!.Size;
            CheckExpansion(name);
        }
        _map[path] = new ContextEntry(ContextEntryKind.File, Size: sourceNode!.Size);
    }

    /// <summary>
    /// After the last entry: every symbolic link, followed through the archive's final set of links, must stay
    /// inside the root. A link can look harmless when written and escape once a later entry adds a link on its way.
    /// </summary>
    public void Finish()
    {
        if (_map.FirstEscapingLink() is var (path, linkTarget))
        {
            throw Escapes(path, linkTarget);
        }
    }

    public void Refuse(string name, string why) => throw Refusal(name, why);

    /// <summary>
    /// Counts the entry and returns its normalised path: "" for the root itself, null when the entry is
    /// version-control metadata and is skipped.
    /// </summary>
    private string? Admit(string name)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (++Entries > limits.MaxEntries)
        {
            throw new ContextArchiveException($"the build context has more than {limits.MaxEntries} entries (limit); the last one read is '{Printable(name)}'");
        }
        if (name.Length > limits.MaxPathLength)
        {
            throw Refusal(name[..80] + "…", $"has a path longer than {limits.MaxPathLength} characters");
        }
        if (name.StartsWith('/'))
        {
            throw Refusal(name, "has an absolute path; entries must be relative to the context root");
        }
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw Refusal(name, "has a NUL character in its path");
        }
        var path = Normalize(name) ?? throw Refusal(name, "escapes the build context (a '..' path component)");
        if (path.Count(c => c == '/') >= limits.MaxDepth)
        {
            throw Refusal(name, $"is nested more than {limits.MaxDepth} directories deep");
        }
        if (IsMetadata(path))
        {
            SkippedMetadata++;
            return null;
        }
        return path;
    }

    /// <summary>Every ancestor must be a directory the archive made (or one made for it here), never a link or a file.</summary>
    private void Parents(string name, string path)
    {
        for (var slash = path.IndexOf('/'); slash >= 0; slash = path.IndexOf('/', slash + 1))
        {
            var parent = path[..slash];
            switch (_map[parent]?.Kind)
            {
                case ContextEntryKind.Directory:
                    continue;
                case ContextEntryKind.Symlink:
                    throw Refusal(name, $"would be written through the symbolic link '{Printable(parent)}'");
                case ContextEntryKind.File:
                    throw Refusal(name, $"would be written below '{Printable(parent)}', which is a file");
            }
            if (target is not null)
            {
                System.IO.Directory.CreateDirectory(_disk!.Checked(parent, ContextEntryKind.Directory, mayExist: false));
            }
            _map[parent] = new ContextEntry(ContextEntryKind.Directory);
        }
    }

    /// <summary>A later entry replaces an earlier file or link of the same name (the link itself, never what it points to).</summary>
    private void Replace(string name, string path)
    {
        switch (_map[path]?.Kind)
        {
            case ContextEntryKind.Directory:
                throw Refusal(name, "would replace a directory of the same name");
            case ContextEntryKind.File or ContextEntryKind.Symlink:
                if (target is not null)
                {
                    // File.Delete removes a link, not its target; the parents were checked above.
                    System.IO.File.Delete(_disk!.Checked(path, _map[path]!.Kind, mayExist: true));
                }
                _map[path] = null;
                break;
        }
    }

    private void Pump(string name, Stream input, Stream output)
    {
        int read;
        while ((read = input.Read(_buffer)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ExpandedBytes += read;
            CheckExpansion(name);
            output.Write(_buffer, 0, read);
        }
    }

    private void CheckExpansion(string name)
    {
        if (ExpandedBytes > limits.MaxExpandedBytes)
        {
            throw Refusal(name, $"takes the unpacked build context past {limits.MaxExpandedBytes:N0} bytes (limit)");
        }
        if (ExpandedBytes > limits.BombFloorBytes && ExpandedBytes > limits.MaxExpansionRatio * Math.Max(1, archiveBytes))
        {
            throw Refusal(name, $"unpacks to more than {limits.MaxExpansionRatio} times the archive's size ({archiveBytes:N0} bytes): a compression bomb");
        }
    }
}
