using LayerLens.Analyzer.Layers;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.FileTree;

public sealed partial class LayeredTree
{
    private readonly struct Content(UInt128 hash, long size, long identity, int node) : IComparable<Content>
    {
        public readonly UInt128 Hash = hash;
        public readonly long Size = size;
        public readonly long Identity = identity;
        public readonly int Node = node;

        public int CompareTo(Content other)
        {
            var c = Hash.CompareTo(other.Hash);
            if (c == 0) { c = Size.CompareTo(other.Size); }
            if (c == 0) { c = Identity.CompareTo(other.Identity); }
            return c == 0 ? Node.CompareTo(other.Node) : c;
        }
    }

    /// <summary>finalBytes, fileCount, duplicates and junk of the last layer's filesystem.</summary>
    public FinalFilesystem Final(JunkRules junk)
    {
        long finalBytes = 0;
        var fileCount = 0;
        var contents = new List<Content>();
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
                    contents.Add(new Content(v.Hash, v.Size, Key(e.Layer, e.Version), node));
                }
            }
            else if (v.Kind == EntryKind.HardLink)
            {
                fileCount++;
                if (!_hardLinkTargets.TryGetValue(Key(e.Layer, e.Version), out var target))
                {
                    continue;
                }
                ref var t = ref System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_layers[(int)(target >> 32)].Versions)[(int)target];
                // A visible link counts 0 unless its target path is gone; then it carries the content (once).
                if (!IsPresent(t.Node) && (countedLinkTargets ??= []).Add(target))
                {
                    finalBytes += t.Size;
                }
                if (t.Size > 0)
                {
                    contents.Add(new Content(t.Hash, t.Size, target, node));
                }
            }
        }

        var (duplicateBytes, duplicates) = FindDuplicates(contents);
        return new FinalFilesystem
        {
            FinalBytes = finalBytes,
            FileCount = fileCount,
            DuplicateBytes = duplicateBytes,
            Duplicates = duplicates,
            Junk = FindJunk(junk),
        };
    }

    private (long Bytes, List<WasteItem> Items) FindDuplicates(List<Content> contents)
    {
        contents.Sort();
        long bytes = 0;
        var items = new List<WasteItem>();
        var start = 0;
        while (start < contents.Count)
        {
            var end = start + 1;
            while (end < contents.Count && contents[end].Hash == contents[start].Hash && contents[end].Size == contents[start].Size)
            {
                end++;
            }
            // Within a group, paths sharing an identity are hard links of one another: one copy.
            var original = contents[start];
            var perLayer = new Dictionary<int, (long Bytes, int Files, int FirstNode)>();
            var previousIdentity = original.Identity;
            for (var i = start + 1; i < end; i++)
            {
                var copy = contents[i];
                if (copy.Identity == previousIdentity)
                {
                    continue;
                }
                previousIdentity = copy.Identity;
                bytes += copy.Size;
                var layer = (int)(copy.Identity >> 32);
                perLayer[layer] = perLayer.TryGetValue(layer, out var agg) ? (agg.Bytes + copy.Size, agg.Files + 1, agg.FirstNode) : (copy.Size, 1, copy.Node);
            }
            if (perLayer.Count > 0)
            {
                var originalPath = Paths.PathOf(original.Node);
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
