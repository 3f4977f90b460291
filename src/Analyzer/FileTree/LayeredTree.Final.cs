using LayerLens.Analyzer.Layers;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.FileTree;

public sealed partial class LayeredTree
{
    /// <summary>finalBytes, fileCount, duplicates and junk of the last layer's filesystem.</summary>
    public FinalFilesystem Final(JunkRules junk)
    {
        long finalBytes = 0;
        var fileCount = 0;
        var contentCount = 0;
        HashSet<long>? countedLinkTargets = null;
        for (var node = 1; node < _last.Length; node++)
        {
            var last = _last[node];
            if (last < 0 || _events[last].Version < 0)
            {
                continue;
            }
            var e = _events[last];
            ref var v = ref VersionAt(e);
            if (v.Kind == EntryKind.File)
            {
                fileCount++;
                finalBytes += v.Size;
                if (v.Size > 0)
                {
                    contentCount++;
                }
            }
            else if (v.Kind == EntryKind.HardLink)
            {
                fileCount++;
                if (!_hardLinkTargets.TryGetValue(Key(e.Layer, e.Version), out var target))
                {
                    continue;
                }
                ref var t = ref _layers[(int)(target >> 32)].Versions[(int)target];
                // A visible link counts 0 unless its target path is gone; then it carries the content (once).
                if (!IsPresent(t.Node) && (countedLinkTargets ??= []).Add(target))
                {
                    finalBytes += t.Size;
                }
                if (t.Size > 0)
                {
                    contentCount++;
                }
            }
        }

        var (duplicateBytes, duplicates) = FindDuplicates(contentCount);
        return new FinalFilesystem
        {
            FinalBytes = finalBytes,
            FileCount = fileCount,
            DuplicateBytes = duplicateBytes,
            Duplicates = duplicates,
            Junk = FindJunk(junk),
        };
    }

    /// <summary>The content a visible file shows: its own version, or for a hard link the version it links to.</summary>
    private (UInt128 Hash, long Size, long Identity) ContentOf(int node)
    {
        var e = _events[_last[node]];
        var identity = Key(e.Layer, e.Version);
        ref var v = ref VersionAt(e);
        if (v.Kind == EntryKind.HardLink)
        {
            identity = _hardLinkTargets[identity];
            ref var t = ref _layers[(int)(identity >> 32)].Versions[(int)identity];
            return (t.Hash, t.Size, identity);
        }
        return (v.Hash, v.Size, identity);
    }

    private int CompareContent(int a, int b)
    {
        var x = ContentOf(a);
        var y = ContentOf(b);
        var c = x.Hash.CompareTo(y.Hash);
        if (c == 0) { c = x.Size.CompareTo(y.Size); }
        if (c == 0) { c = x.Identity.CompareTo(y.Identity); }
        return c == 0 ? a.CompareTo(b) : c;
    }

    /// <summary>Whether visible <paramref name="node"/> shows content of at least one byte (itself or through a hard link).</summary>
    private bool ShowsContent(int node)
    {
        var last = _last[node];
        if (last < 0 || _events[last].Version < 0)
        {
            return false;
        }
        var e = _events[last];
        ref var v = ref VersionAt(e);
        if (v.Kind == EntryKind.File)
        {
            return v.Size > 0;
        }
        return v.Kind == EntryKind.HardLink
            && _hardLinkTargets.TryGetValue(Key(e.Layer, e.Version), out var target)
            && _layers[(int)(target >> 32)].Versions[(int)target].Size > 0;
    }

    private (long Bytes, List<WasteItem> Items) FindDuplicates(int count)
    {
        // One 8-byte key per file with content: 32 bits of its content hash above its node, sorted
        // as a primitive (fast, and no second array); each run of equal hash bits is then ordered
        // exactly, so runs longer than one are (nearly always) real duplicates.
        var keys = new ulong[count];
        var n = 0;
        for (var node = 1; node < _last.Length; node++)
        {
            if (ShowsContent(node))
            {
                keys[n++] = ((ulong)(uint)ContentOf(node).Hash << 32) | (uint)node;
            }
        }
        Array.Sort(keys);
        var exact = Comparer<ulong>.Create((a, b) => CompareContent((int)a, (int)b));
        for (var run = 0; run < count;)
        {
            var runEnd = run + 1;
            while (runEnd < count && keys[runEnd] >> 32 == keys[run] >> 32)
            {
                runEnd++;
            }
            if (runEnd - run > 1)
            {
                Array.Sort(keys, run, runEnd - run, exact);
            }
            run = runEnd;
        }
        long bytes = 0;
        var items = new List<WasteItem>();
        var start = 0;
        while (start < count)
        {
            var end = start + 1;
            if (end < count && keys[end] >> 32 != keys[start] >> 32)
            {
                start = end;
                continue;
            }
            var original = ContentOf((int)keys[start]);
            while (end < count && ContentOf((int)keys[end]) is var next && next.Hash == original.Hash && next.Size == original.Size)
            {
                end++;
            }
            // Within a group, paths sharing an identity are hard links of one another: one copy.
            Dictionary<int, (long Bytes, int Files, int FirstNode)>? perLayer = null;
            var previousIdentity = original.Identity;
            for (var i = start + 1; i < end; i++)
            {
                var copy = ContentOf((int)keys[i]);
                if (copy.Identity == previousIdentity)
                {
                    continue;
                }
                previousIdentity = copy.Identity;
                bytes += copy.Size;
                var layer = (int)(copy.Identity >> 32);
                perLayer ??= [];
                perLayer[layer] = perLayer.TryGetValue(layer, out var agg) ? (agg.Bytes + copy.Size, agg.Files + 1, agg.FirstNode) : (copy.Size, 1, (int)keys[i]);
            }
            if (perLayer is not null)
            {
                var originalPath = Paths.PathOf((int)keys[start]);
                foreach (var (layer, agg) in perLayer)
                {
                    items.Add(new WasteItem(WasteKind.Duplicate, Paths.PathOf(agg.FirstNode), agg.Bytes, layer, layer, agg.Files) { OriginalPath = originalPath });
                }
            }
            start = end;
        }
        return (bytes, items);
    }

    private List<WasteItem> FindJunk(JunkRules rules)
    {
        var found = new Dictionary<(int Root, int Layer), (long Bytes, int Files)>();
        var pending = new Stack<(int Node, string Path, int JunkRoot)>();
        pending.Push((PathTable.Root, "", -1));
        while (pending.Count > 0)
        {
            var (dir, dirPath, junkRoot) = pending.Pop();
            for (var c = Paths.FirstChild(dir); c != PathTable.None; c = Paths.NextSibling(c))
            {
                var last = _last[c];
                if (last < 0 || _events[last].Version == Removed)
                {
                    continue;
                }
                var e = _events[last];
                if (IsDirectory(last))
                {
                    var path = dirPath.Length == 0 ? Paths.Name(c) : string.Concat(dirPath, "/", Paths.Name(c));
                    var root = junkRoot < 0 && rules.IsJunkDirectory(path) ? c : junkRoot;
                    pending.Push((c, path, root));
                    continue;
                }
                ref var v = ref VersionAt(e);
                if (v.Kind != EntryKind.File || v.Size == 0)
                {
                    continue;
                }
                var fileRoot = junkRoot;
                if (fileRoot < 0 && rules.IsJunkFile(Paths.Name(c)))
                {
                    fileRoot = c;
                }
                if (fileRoot >= 0)
                {
                    var key = (fileRoot, (int)e.Layer);
                    found[key] = found.TryGetValue(key, out var agg) ? (agg.Bytes + v.Size, agg.Files + 1) : (v.Size, 1);
                }
            }
        }
        return found.Select(kv => new WasteItem(WasteKind.Junk, Paths.PathOf(kv.Key.Root), kv.Value.Bytes, kv.Key.Layer, kv.Key.Layer, kv.Value.Files)).ToList();
    }

    /// <summary>Paths written as regular files by more than one layer: dive's "file references".</summary>
    public IEnumerable<(string Path, int Count, long SizeBytes)> RepeatedFiles()
    {
        for (var node = 1; node < _last.Length; node++)
        {
            var count = 0;
            long size = 0;
            for (var i = _last[node]; i >= 0; i = _events[i].Prev)
            {
                var e = _events[i];
                if (e.Version >= 0 && VersionAt(e) is { Kind: EntryKind.File } v)
                {
                    count++;
                    size += v.Size;
                }
            }
            if (count > 1)
            {
                yield return (Paths.PathOf(node), count, size);
            }
        }
    }
}
