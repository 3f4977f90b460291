namespace LayerLens.Web.BuildContexts;

/// <summary>
/// Checks each archive entry (and, when a target is given, writes it there). It keeps an in-memory map of
/// everything the archive made, and that map — not the disk — decides: an entry is written only below
/// directories the extraction itself created, never through a symbolic link; a hard link is a copy of the
/// bytes the archive wrote for the file it names; every symbolic link is resolved against the finished map
/// (following the archive's other links, as the kernel would) and refused when it leaves the root. Version
/// control metadata (.git, .hg, …) is dropped, so no tool can later honour configuration hidden in it.
/// Bounded counts and unpacked bytes; every refusal names the entry.
/// </summary>
internal sealed class ContextSink(string? target, ContextLimits limits, long archiveBytes, CancellationToken cancellationToken)
{
    /// <summary>Directories of version-control metadata: their configuration can make a tool run programs.</summary>
    public static readonly IReadOnlySet<string> MetadataNames = new HashSet<string>(StringComparer.Ordinal)
    {
        ".git", ".hg", ".svn", ".bzr", "_darcs", "CVS", ".fslckout", "_FOSSIL_", ".pijul", ".jj", ".sl",
    };

    /// <summary>Symbolic links hop budget while resolving a link, as Linux's MAXSYMLINKS.</summary>
    private const int MaxHops = 40;

    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly byte[] _buffer = new byte[81920];

    private enum Kind
    {
        Directory,
        File,
        Symlink,
    }

    /// <summary>What the archive made at a path: for a file its size, so a hard link counts its copy even when only validating.</summary>
    private sealed record Node(Kind Kind, string? LinkTarget = null, long Size = 0);

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
        switch (_nodes.GetValueOrDefault(path)?.Kind)
        {
            case Kind.Directory:
                return;
            case Kind.Symlink:
                throw Refusal(name, "is a directory over the symbolic link of the same name");
            case Kind.File:
                throw Refusal(name, "is a directory over a file of the same name");
        }
        if (target is not null)
        {
            System.IO.Directory.CreateDirectory(Checked(path, Kind.Directory, mayExist: false));
        }
        _nodes[path] = new Node(Kind.Directory);
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
                output = new FileStream(Checked(path, Kind.File, mayExist: false), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);
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
        _nodes[path] = new Node(Kind.File, Size: ExpandedBytes - before);
        if (target is not null && OperatingSystem.IsLinux() && mode != 0)
        {
            // Keep the execute bits: a build runs the context's scripts.
            System.IO.File.SetUnixFileMode(Checked(path, Kind.File, mayExist: true), (UnixFileMode)(mode & 0x1FF) | UnixFileMode.UserRead | UnixFileMode.UserWrite);
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
        _nodes[path] = new Node(Kind.Symlink, linkTarget);
        // Refuse early what already escapes; links that only escape once later entries exist are caught by Finish.
        if (Resolve(path) is null)
        {
            throw Escapes(name, linkTarget);
        }
        if (target is not null)
        {
            System.IO.File.CreateSymbolicLink(Checked(path, Kind.Symlink, mayExist: false), linkTarget);
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
        var sourceNode = _nodes.GetValueOrDefault(source);
        switch (sourceNode?.Kind)
        {
            case Kind.File:
                break;
            case Kind.Symlink:
                throw Refusal(name, $"is a hard link to the symbolic link '{Printable(linkTarget)}'; only files may be hard-linked");
            case Kind.Directory:
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
            using var input = new FileStream(Checked(source, Kind.File, mayExist: true), FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
            using var output = new FileStream(Checked(path, Kind.File, mayExist: false), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);
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
        _nodes[path] = new Node(Kind.File, Size: sourceNode!.Size);
    }

    /// <summary>
    /// After the last entry: every symbolic link, followed through the archive's final set of links, must stay
    /// inside the root. A link can look harmless when written and escape once a later entry adds a link on its way.
    /// </summary>
    public void Finish()
    {
        foreach (var (path, node) in _nodes.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            if (node.Kind == Kind.Symlink && Resolve(path) is null)
            {
                throw Escapes(path, node.LinkTarget!);
            }
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
            switch (_nodes.GetValueOrDefault(parent)?.Kind)
            {
                case Kind.Directory:
                    continue;
                case Kind.Symlink:
                    throw Refusal(name, $"would be written through the symbolic link '{Printable(parent)}'");
                case Kind.File:
                    throw Refusal(name, $"would be written below '{Printable(parent)}', which is a file");
            }
            if (target is not null)
            {
                System.IO.Directory.CreateDirectory(Checked(parent, Kind.Directory, mayExist: false));
            }
            _nodes[parent] = new Node(Kind.Directory);
        }
    }

    /// <summary>A later entry replaces an earlier file or link of the same name (the link itself, never what it points to).</summary>
    private void Replace(string name, string path)
    {
        switch (_nodes.GetValueOrDefault(path)?.Kind)
        {
            case Kind.Directory:
                throw Refusal(name, "would replace a directory of the same name");
            case Kind.File or Kind.Symlink:
                if (target is not null)
                {
                    // File.Delete removes a link, not its target; the parents were checked above.
                    System.IO.File.Delete(Checked(path, _nodes[path].Kind, mayExist: true));
                }
                _nodes.Remove(path);
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

    /// <summary>
    /// The on-disk path of <paramref name="path"/> after checking, with lstat, that no component is a symbolic
    /// link and each is what the map says — a second line behind the map, should the disk ever disagree.
    /// </summary>
    private string Checked(string path, Kind kind, bool mayExist)
    {
        var full = Path.GetFullPath(Path.Combine(target!, path));
        if (!full.StartsWith(target + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw Refusal(path, "resolves outside the build context");
        }
        var current = target!;
        var parts = path.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            current = Path.Combine(current, parts[i]);
            var info = new FileInfo(current);
            var last = i == parts.Length - 1;
            if (info.LinkTarget is not null)
            {
                if (last && kind == Kind.Symlink && mayExist)
                {
                    continue;
                }
                throw Refusal(path, $"meets a symbolic link on disk at '{Printable(string.Join('/', parts[..(i + 1)]))}' that the archive did not put there");
            }
            if (!last && System.IO.File.Exists(current))
            {
                throw Refusal(path, $"meets a file on disk at '{Printable(string.Join('/', parts[..(i + 1)]))}' where a directory should be");
            }
            if (last && !mayExist && (System.IO.File.Exists(current) || (kind != Kind.Directory && System.IO.Directory.Exists(current))))
            {
                throw Refusal(path, "already exists on disk although the archive did not write it");
            }
        }
        return full;
    }

    /// <summary>
    /// Where the symbolic link at <paramref name="linkPath"/> leads, following the archive's links as the kernel
    /// would; null when it climbs above the root, is absolute somewhere on the way, or loops.
    /// </summary>
    private string? Resolve(string linkPath)
    {
        var parts = new List<string>(linkPath.Split('/'));
        var pending = new Stack<string>();
        var hops = 0;
        Push(pending, parts, _nodes[linkPath].LinkTarget!, ref hops);
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part is "" or ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count == 0)
                {
                    return null;
                }
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
            if (_nodes.GetValueOrDefault(string.Join('/', parts)) is { Kind: Kind.Symlink } link)
            {
                if (link.LinkTarget!.StartsWith('/') || !Push(pending, parts, link.LinkTarget, ref hops))
                {
                    return null;
                }
            }
        }
        return string.Join('/', parts);
    }

    /// <summary>Replaces the link (last of <paramref name="parts"/>) by its target's components; false past the hop budget.</summary>
    private static bool Push(Stack<string> pending, List<string> parts, string linkTarget, ref int hops)
    {
        if (++hops > MaxHops)
        {
            return false;
        }
        parts.RemoveAt(parts.Count - 1);
        var components = linkTarget.Split('/');
        for (var i = components.Length - 1; i >= 0; i--)
        {
            pending.Push(components[i]);
        }
        return true;
    }

    private static bool IsMetadata(string path) => path.Split('/').Any(MetadataNames.Contains);

    /// <summary>Files the reviewer and the builder read by name at the root: they must not be links.</summary>
    private static bool IsBuildControlFile(string path) =>
        !path.Contains('/', StringComparison.Ordinal)
        && (path is ".dockerignore" or ".containerignore" or "Dockerfile" or "Containerfile"
            || path.EndsWith(".dockerignore", StringComparison.Ordinal)
            || path.StartsWith("Dockerfile.", StringComparison.Ordinal)
            || path.EndsWith(".Dockerfile", StringComparison.Ordinal));

    /// <summary>Drops <c>.</c> and empty components; null when a <c>..</c> appears.</summary>
    internal static string? Normalize(string name)
    {
        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }
            if (part == "..")
            {
                return null;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    private static ContextArchiveException Escapes(string name, string linkTarget) =>
        Refusal(name, $"is a symbolic link to '{Printable(linkTarget)}', which leads outside the build context (followed through the archive's other links)");

    private static ContextArchiveException Refusal(string name, string why) => new($"build context entry '{Printable(name)}' {why}");

    private static string Printable(string name) => name.Replace('\0', '?').Replace('\n', '?').Replace('\r', '?');
}
