using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.Rebuild;

/// <summary>A path the rebuilt image shows differently on purpose (<c>--drop-junk</c>, <c>--link-duplicates</c>).</summary>
public sealed record ChangedPath(string Path, string Change, long Bytes);

/// <summary>Junk the analysis found in a kept layer: it stays, since a kept layer stays byte-identical.</summary>
public sealed record JunkInKeptLayer(string Path, int Layer, long Bytes);

/// <summary>
/// The opt-in changes, applied to the source's final view before planning: the result is the view the
/// rebuilt image must show (the proof compares against it, so any other difference still fails), and
/// every path whose view differs from the original's is listed.
/// <list type="bullet">
/// <item><c>--drop-junk</c>: the junk roots the analysis reported (<see cref="JunkRules"/>) lose what the
/// rewritten layers put there. A directory junk by name (<c>__pycache__</c>, <c>.git</c>) goes whole; a
/// place the system expects (<c>/tmp</c>, <c>/var/cache/apt</c> …) stays, emptied, with its own metadata.
/// What a kept layer holds stays (and every directory above it): it is reported, not removed.</item>
/// <item><c>--link-duplicates</c>: regular files with the same size (&gt; 0), content and every piece of
/// metadata the contract compares (mode, owner ids and names, mtime, xattrs and other PAX records) become
/// one inode — a hard link shares its inode's metadata, so files differing in any of it stay apart. A kept
/// layer's file may be the inode others link to; two kept inodes are never merged.</item>
/// </list>
/// </summary>
public sealed class IntendedChanges
{
    public required FinalView Expected { get; init; }
    public required List<ChangedPath> Changed { get; init; }
    public required List<JunkInKeptLayer> JunkKept { get; init; }
    public long JunkBytesDropped { get; init; }
    public long DuplicateBytesSaved { get; init; }

    public static IntendedChanges Apply(FinalView original, ImageAnalysis analysis, int kept, bool dropJunk, bool linkDuplicates)
    {
        if (!dropJunk && !linkDuplicates)
        {
            return new IntendedChanges { Expected = original, Changed = [], JunkKept = [] };
        }
        var entries = new Dictionary<string, FinalEntry>(original.Entries, StringComparer.Ordinal);
        var removedAt = new Dictionary<string, int>(original.RemovedAt, StringComparer.Ordinal);
        var junkKept = new List<JunkInKeptLayer>();
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        long junkBytes = 0;
        long saved = 0;
        if (dropJunk)
        {
            junkBytes = DropJunk(entries, original, analysis, kept, removedAt, junkKept, reasons);
        }
        if (linkDuplicates)
        {
            saved = LinkDuplicates(entries, kept);
        }
        var expected = new FinalView
        {
            Entries = entries,
            DirectoryVersions = original.DirectoryVersions.Where(d => entries.ContainsKey(d.Key)).ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal),
            KeptPaths = original.KeptPaths,
            RemovedAt = removedAt,
            LayerCount = original.LayerCount,
        };
        return new IntendedChanges
        {
            Expected = expected,
            Changed = Differences(original, expected, reasons),
            JunkKept = junkKept,
            JunkBytesDropped = junkBytes,
            DuplicateBytesSaved = saved,
        };
    }

    private static long DropJunk(Dictionary<string, FinalEntry> entries, FinalView original, ImageAnalysis analysis, int kept,
        Dictionary<string, int> removedAt, List<JunkInKeptLayer> junkKept, Dictionary<string, string> reasons)
    {
        var roots = analysis.Waste.Where(w => w.Kind == WasteKind.Junk).Select(w => w.Path.TrimStart('/')).ToHashSet(StringComparer.Ordinal);
        if (roots.Count == 0)
        {
            return 0;
        }
        var rootOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in entries.Keys)
        {
            if (RootOf(path, roots) is { } root)
            {
                rootOf[path] = root;
            }
        }
        // Every junk path a kept layer holds, and each directory above it up to its root, must stay.
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, root) in rootOf)
        {
            var e = entries[path];
            if (e.Layer >= kept)
            {
                continue;
            }
            if (e.Type == FinalEntryType.File && e.Size > 0)
            {
                junkKept.Add(new JunkInKeptLayer(path, e.Layer, e.Size));
            }
            var p = path;
            while (held.Add(p) && p.Length > root.Length)
            {
                p = p[..p.LastIndexOf('/')];
            }
        }
        long bytes = 0;
        foreach (var (path, root) in rootOf.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var e = entries[path];
            if (e.Layer < kept || held.Contains(path)
                || path == root && e.Type == FinalEntryType.Directory && !JunkRules.Default.IsJunkByName(root))
            {
                continue;
            }
            entries.Remove(path);
            if (original.KeptPaths.ContainsKey(path))
            {
                removedAt[path] = e.Layer; // a kept layer shows it: the whiteout goes where the dropped version was written
            }
            var size = e.Type == FinalEntryType.File ? e.Size : 0;
            bytes += size;
            reasons[path] = $"junk removed (under /{root})";
        }
        junkKept.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return bytes;
    }

    private static string? RootOf(string path, HashSet<string> roots)
    {
        for (var p = path; ; p = p[..p.LastIndexOf('/')])
        {
            if (roots.Contains(p))
            {
                return p;
            }
            if (p.LastIndexOf('/') < 0)
            {
                return null;
            }
        }
    }

    private static long LinkDuplicates(Dictionary<string, FinalEntry> entries, int kept)
    {
        var nextGroup = entries.Values.Select(e => e.LinkGroup).DefaultIfEmpty(-1).Max() + 1;
        long saved = 0;
        var candidates = entries.Where(e => e.Value.Type == FinalEntryType.File && e.Value.Size > 0)
            .GroupBy(e => (e.Value.ContentHash, e.Value.Size, e.Value.Mode, e.Value.Uid, e.Value.Gid, e.Value.ModificationTime))
            .Where(g => g.Count() > 1)
            .ToList();
        foreach (var candidate in candidates)
        {
            // The tuple above narrows; SameAs decides (owner names and PAX records too). Each class is one future inode.
            var classes = new List<List<KeyValuePair<string, FinalEntry>>>();
            foreach (var member in candidate.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                var home = classes.FirstOrDefault(c => c[0].Value.SameAs(member.Value));
                if (home is null)
                {
                    classes.Add([member]);
                }
                else
                {
                    home.Add(member);
                }
            }
            foreach (var members in classes)
            {
                saved += Merge(entries, members, kept, ref nextGroup);
            }
        }
        return saved;
    }

    /// <summary>Merges the inodes of equal files into one; returns the content bytes no longer shipped.</summary>
    private static long Merge(Dictionary<string, FinalEntry> entries, List<KeyValuePair<string, FinalEntry>> members, int kept, ref int nextGroup)
    {
        var inodes = members.GroupBy(m => m.Value.LinkGroup >= 0 ? "group " + m.Value.LinkGroup : "path " + m.Key)
            .Select(g => g.ToList()).ToList();
        if (inodes.Count < 2)
        {
            return 0;
        }
        bool InKept(List<KeyValuePair<string, FinalEntry>> inode) => inode.Any(m => m.Value.Layer < kept);
        // The inode others link to: the kept one with the smallest path, else the one with the smallest path (members are sorted).
        var target = inodes.FirstOrDefault(InKept) ?? inodes[0];
        var merged = inodes.Where(i => i == target || !InKept(i)).ToList();
        if (merged.Count < 2)
        {
            return 0;
        }
        var group = target[0].Value.LinkGroup >= 0 ? target[0].Value.LinkGroup : nextGroup++;
        foreach (var (path, e) in merged.SelectMany(i => i))
        {
            entries[path] = e with { LinkGroup = group };
        }
        return members[0].Value.Size * (merged.Count - 1);
    }

    /// <summary>Every path whose view differs between the original and the expected image, with why.</summary>
    private static List<ChangedPath> Differences(FinalView original, FinalView expected, Dictionary<string, string> reasons)
    {
        var before = original.HardLinkLeaders();
        var after = expected.HardLinkLeaders();
        var changed = new List<ChangedPath>();
        foreach (var (path, e) in original.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var size = e.Type == FinalEntryType.File ? e.Size : 0;
            if (!expected.Entries.ContainsKey(path))
            {
                changed.Add(new ChangedPath(path, reasons.GetValueOrDefault(path, "removed"), size));
                continue;
            }
            var a = before.GetValueOrDefault(path);
            var b = after.GetValueOrDefault(path);
            if (a != b)
            {
                changed.Add(new ChangedPath(path, b is null ? "no longer hard-linked (its partners were removed)"
                    : b == path ? "hard-link target of identical files" : $"hard link to /{b}", size));
            }
        }
        return changed;
    }
}
