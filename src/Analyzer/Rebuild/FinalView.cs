namespace LayerLens.Analyzer.Rebuild;

/// <summary>
/// The merged filesystem of an image with complete metadata, plus what the rebuild plan needs: every
/// version a directory had (a rewritten layer carries its parents as they were at that point), the paths
/// the kept layers hold, and for each of those a later layer removed, the layer that removed it.
/// </summary>
public sealed class FinalView
{
    public required Dictionary<string, FinalEntry> Entries { get; init; }

    /// <summary>Every version of each directory, oldest first (cleared when the directory is removed).</summary>
    public required Dictionary<string, List<FinalEntry>> DirectoryVersions { get; init; }

    /// <summary>Paths visible after the kept layers, with their type then.</summary>
    public required Dictionary<string, FinalEntryType> KeptPaths { get; init; }

    /// <summary>Kept paths a later layer removed: the last layer that removed each.</summary>
    public required Dictionary<string, int> RemovedAt { get; init; }

    public required int LayerCount { get; init; }

    /// <summary>Path → the smallest path sharing its inode, for files in a hard-link group of two or more.</summary>
    public Dictionary<string, string> HardLinkLeaders()
    {
        var leaders = new Dictionary<int, string>();
        var counts = new Dictionary<int, int>();
        foreach (var (path, e) in Entries)
        {
            if (e.LinkGroup < 0)
            {
                continue;
            }
            counts[e.LinkGroup] = counts.GetValueOrDefault(e.LinkGroup) + 1;
            if (!leaders.TryGetValue(e.LinkGroup, out var l) || string.CompareOrdinal(path, l) < 0)
            {
                leaders[e.LinkGroup] = path;
            }
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, e) in Entries)
        {
            if (e.LinkGroup >= 0 && counts[e.LinkGroup] > 1)
            {
                result[path] = leaders[e.LinkGroup];
            }
        }
        return result;
    }
}
