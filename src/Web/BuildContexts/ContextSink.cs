namespace LayerLens.Web.BuildContexts;

/// <summary>
/// Checks each archive entry (and, when a target is given, writes it there): normalised relative paths only,
/// no <c>..</c>, no writing through a link the archive made, link targets that stay inside, bounded counts
/// and unpacked bytes. Every refusal names the entry.
/// </summary>
internal sealed class ContextSink(string? target, ContextLimits limits, long archiveBytes, CancellationToken cancellationToken)
{
    private readonly HashSet<string> _links = new(StringComparer.Ordinal);
    private readonly HashSet<string> _files = new(StringComparer.Ordinal);
    private readonly byte[] _buffer = new byte[81920];

    public ContextLimits Limits => limits;

    public int Entries { get; private set; }

    public long ExpandedBytes { get; private set; }

    public void Directory(string name)
    {
        var path = Admit(name);
        if (path is null || target is null)
        {
            return;
        }
        System.IO.Directory.CreateDirectory(FullPath(path));
    }

    public void File(string name, Stream? content, int mode)
    {
        var path = Admit(name) ?? throw Refusal(name, "is a file at the root of the context");
        Stream output = Stream.Null;
        try
        {
            if (target is not null)
            {
                var full = FullPath(path);
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                ReplaceLink(path, full);
                output = new FileStream(full, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
            }
            if (content is not null)
            {
                int read;
                while ((read = content.Read(_buffer)) > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    ExpandedBytes += read;
                    CheckExpansion(name);
                    output.Write(_buffer, 0, read);
                }
            }
        }
        finally
        {
            output.Dispose();
        }
        _files.Add(path);
        if (target is not null && OperatingSystem.IsLinux() && mode != 0)
        {
            // Keep the execute bits: a build runs the context's scripts.
            System.IO.File.SetUnixFileMode(FullPath(path), (UnixFileMode)(mode & 0x1FF) | UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public void SymbolicLink(string name, string linkTarget)
    {
        var path = Admit(name) ?? throw Refusal(name, "is a link at the root of the context");
        if (linkTarget.Length == 0 || linkTarget.StartsWith('/'))
        {
            throw Refusal(name, $"is a symbolic link to '{linkTarget}', outside the build context (absolute targets are refused)");
        }
        var parent = path.Contains('/', StringComparison.Ordinal) ? path[..path.LastIndexOf('/')] : "";
        if (Resolve(parent, linkTarget, _links) is null)
        {
            throw Refusal(name, $"is a symbolic link to '{linkTarget}', which escapes the build context (or passes through another link)");
        }
        if (target is not null)
        {
            var full = FullPath(path);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            ReplaceLink(path, full);
            if (System.IO.File.Exists(full))
            {
                System.IO.File.Delete(full);
            }
            System.IO.File.CreateSymbolicLink(full, linkTarget);
        }
        _links.Add(path);
    }

    public void HardLink(string name, string linkTarget)
    {
        var path = Admit(name) ?? throw Refusal(name, "is a link at the root of the context");
        var source = Normalize(linkTarget.TrimStart('/'));
        if (source is null || !_files.Contains(source))
        {
            throw Refusal(name, $"is a hard link to '{linkTarget}', which is not a file earlier in the archive");
        }
        if (target is not null)
        {
            var full = FullPath(path);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            ReplaceLink(path, full);
            // A copy, not a link: the context is a scratch copy and copies keep the checks simple.
            var bytes = new FileInfo(FullPath(source)).Length;
            ExpandedBytes += bytes;
            CheckExpansion(name);
            System.IO.File.Copy(FullPath(source), full, overwrite: true);
        }
        _files.Add(path);
    }

    public void Refuse(string name, string why) => throw Refusal(name, why);

    /// <summary>Counts the entry and returns its normalised path (null for the root itself).</summary>
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
        if (path.Length == 0)
        {
            return null;
        }
        if (path.Count(c => c == '/') >= limits.MaxDepth)
        {
            throw Refusal(name, $"is nested more than {limits.MaxDepth} directories deep");
        }
        // Writing below a link the archive created could land anywhere the link points.
        for (var slash = path.IndexOf('/'); slash >= 0; slash = path.IndexOf('/', slash + 1))
        {
            if (_links.Contains(path[..slash]))
            {
                throw Refusal(name, $"would be written through the symbolic link '{path[..slash]}'");
            }
        }
        return path;
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

    private void ReplaceLink(string path, string full)
    {
        if (_links.Remove(path))
        {
            System.IO.File.Delete(full);
        }
    }

    private string FullPath(string path)
    {
        var full = Path.GetFullPath(Path.Combine(target!, path));
        if (!full.StartsWith(target + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw Refusal(path, "resolves outside the build context");
        }
        return full;
    }

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

    /// <summary>
    /// Resolves a relative link target lexically from <paramref name="directory"/>; null when it climbs above the
    /// root or steps through one of <paramref name="links"/> (whose real target lexical resolution cannot see).
    /// </summary>
    internal static string? Resolve(string directory, string linkTarget, IReadOnlySet<string> links)
    {
        var parts = directory.Length == 0 ? new List<string>() : [.. directory.Split('/')];
        foreach (var part in linkTarget.Split('/'))
        {
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
            if (links.Contains(string.Join('/', parts)))
            {
                return null;
            }
        }
        return string.Join('/', parts);
    }

    private static ContextArchiveException Refusal(string name, string why) => new($"build context entry '{Printable(name)}' {why}");

    private static string Printable(string name) => name.Replace('\0', '?').Replace('\n', '?').Replace('\r', '?');
}
