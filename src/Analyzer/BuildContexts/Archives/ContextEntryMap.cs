namespace LayerLens.Analyzer.BuildContexts.Archives;

internal enum ContextEntryKind
{
    Directory,
    File,
    Symlink,
}

/// <summary>What the archive made at a path: for a file its size, so a hard link counts its copy even when only validating.</summary>
internal sealed record ContextEntry(ContextEntryKind Kind, string? LinkTarget = null, long Size = 0);

/// <summary>
/// Everything an archive made so far, by normalised path. This map — not the disk — decides what an entry may
/// be written through, and where a symbolic link leads (following the archive's other links, as the kernel would).
/// </summary>
internal sealed class ContextEntryMap
{
    /// <summary>Symbolic links hop budget while resolving a link, as Linux's MAXSYMLINKS.</summary>
    private const int MaxHops = 40;

    private readonly Dictionary<string, ContextEntry> _entries = new(StringComparer.Ordinal);

    public ContextEntry? this[string path]
    {
        get => _entries.GetValueOrDefault(path);
        set
        {
            if (value is null)
            {
                _entries.Remove(path);
            }
            else
            {
                _entries[path] = value;
            }
        }
    }

    /// <summary>The first symbolic link (by path, ordinal) that leads outside the root, or null when none does.</summary>
    public (string Path, string LinkTarget)? FirstEscapingLink()
    {
        foreach (var (path, entry) in _entries.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            if (entry.Kind == ContextEntryKind.Symlink && Resolve(path) is null)
            {
                return (path, entry.LinkTarget!);
            }
        }
        return null;
    }

    /// <summary>
    /// Where the symbolic link at <paramref name="linkPath"/> leads, following the archive's links as the kernel
    /// would; null when it climbs above the root, is absolute somewhere on the way, or loops.
    /// </summary>
    public string? Resolve(string linkPath)
    {
        var parts = new List<string>(linkPath.Split('/'));
        var pending = new Stack<string>();
        var hops = 0;
        Push(pending, parts, _entries[linkPath].LinkTarget!, ref hops);
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
            if (_entries.GetValueOrDefault(string.Join('/', parts)) is { Kind: ContextEntryKind.Symlink } link)
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
}
