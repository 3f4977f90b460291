namespace LayerLens.Analyzer.Rebuild;

internal enum PlannedKind
{
    Entry,
    HardLink,
    Whiteout,
}

/// <summary>One entry of a rewritten layer: a path with its metadata, a hard link to an earlier member of its inode, or a whiteout.</summary>
internal sealed record PlannedEntry(string Path, PlannedKind Kind, FinalEntry? Meta, string? LinkTo);

/// <summary>
/// Decides what each rewritten layer holds. Rules (so a layer depends only on the source layers up to it
/// and on which later layer last touched each of its paths):
/// <list type="bullet">
/// <item>every visible path sits once, in the layer of the source layer that last wrote it;</item>
/// <item>a layer carries each parent directory its entries need that is written only by a later layer, as
/// that directory was at the end of this layer's source layers (directories weigh no bytes);</item>
/// <item>hard-linked files: the smallest path in the lowest layer holding the inode is the file, the others
/// link to it;</item>
/// <item>a whiteout only for a path a kept layer holds and the final view lacks, in the layer of the source
/// layer that removed it, and only at the top of what is lost (nothing under a whited-out directory or
/// below a path that became a file). No opaque markers: one would also hide the rewritten layers below it.</item>
/// </list>
/// Entries are sorted by ordinal path.
/// </summary>
internal static class LayerContents
{
    public static List<List<PlannedEntry>> Plan(FinalView view, int kept, IReadOnlyList<LayerGroup> groups)
    {
        var groupOf = new int[view.LayerCount];
        Array.Fill(groupOf, -1);
        for (var g = 0; g < groups.Count; g++)
        {
            for (var i = groups[g].First; i <= groups[g].Last; i++)
            {
                groupOf[i] = g;
            }
        }
        var layers = groups.Select(_ => new List<PlannedEntry>()).ToList();
        var anchors = Anchors(view, groupOf);
        foreach (var (path, e) in view.Entries)
        {
            if (e.Layer < kept)
            {
                continue;
            }
            if (anchors.TryGetValue(e.LinkGroup, out var anchor) && anchor != path)
            {
                layers[groupOf[e.Layer]].Add(new PlannedEntry(path, PlannedKind.HardLink, e, anchor));
            }
            else
            {
                layers[groupOf[e.Layer]].Add(new PlannedEntry(path, PlannedKind.Entry, e, null));
            }
        }
        foreach (var (path, layer) in view.RemovedAt)
        {
            if (!view.Entries.ContainsKey(path) && IsTopOfLoss(view, path))
            {
                var slash = path.LastIndexOf('/');
                var whiteout = slash < 0 ? ".wh." + path : path[..(slash + 1)] + ".wh." + path[(slash + 1)..];
                layers[groupOf[layer]].Add(new PlannedEntry(whiteout, PlannedKind.Whiteout, null, null));
            }
        }
        for (var g = 0; g < groups.Count; g++)
        {
            AddParents(view, kept, groups, groupOf, g, layers[g]);
            layers[g].Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        }
        return layers;
    }

    /// <summary>Link group → the path that carries the inode's data.</summary>
    private static Dictionary<int, string> Anchors(FinalView view, int[] groupOf)
    {
        var anchors = new Dictionary<int, (int Group, string Path)>();
        foreach (var (path, e) in view.Entries)
        {
            if (e.LinkGroup < 0)
            {
                continue;
            }
            var g = groupOf[e.Layer];
            if (!anchors.TryGetValue(e.LinkGroup, out var a) || g < a.Group || g == a.Group && string.CompareOrdinal(path, a.Path) < 0)
            {
                anchors[e.LinkGroup] = (g, path);
            }
        }
        return anchors.ToDictionary(a => a.Key, a => a.Value.Path);
    }

    private static bool IsTopOfLoss(FinalView view, string path)
    {
        for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
        {
            var ancestor = path[..slash];
            if (view.Entries.TryGetValue(ancestor, out var a) ? a.Type != FinalEntryType.Directory : view.KeptPaths.ContainsKey(ancestor))
            {
                return false;
            }
        }
        return true;
    }

    private static void AddParents(FinalView view, int kept, IReadOnlyList<LayerGroup> groups, int[] groupOf, int g, List<PlannedEntry> layer)
    {
        var needed = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var p in layer)
        {
            for (var slash = p.Path.LastIndexOf('/'); slash > 0; slash = p.Path.LastIndexOf('/', slash - 1))
            {
                if (!needed.Add(p.Path[..slash]))
                {
                    break;
                }
            }
        }
        foreach (var dir in needed)
        {
            if (!view.Entries.TryGetValue(dir, out var final) || final.Type != FinalEntryType.Directory
                || final.Layer < kept || groupOf[final.Layer] <= g
                || !view.DirectoryVersions.TryGetValue(dir, out var versions))
            {
                continue;
            }
            var then = versions.LastOrDefault(v => v.Layer <= groups[g].Last);
            if (then is not null && then.Layer >= kept)
            {
                layer.Add(new PlannedEntry(dir, PlannedKind.Entry, then, null));
            }
        }
    }
}
