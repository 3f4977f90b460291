using System.Buffers;
using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Layers.Cache;

/// <summary>
/// Everything one read of a layer taught the engine, free of any image's <see cref="PathTable"/>: the change set with
/// its paths in a layer-local dictionary (node i = parent node + one name; parents come first, -1 is the root),
/// and what the report takes from the read itself (byte counts, compression, computed digests).
/// <see cref="Restore"/> interns it into an analysis's shared table, giving the change set a cold read would give.
/// </summary>
public sealed class CachedLayer
{
    /// <summary>sha256 of the blob as read (verified when captured).</summary>
    public required string BlobDigest { get; init; }

    /// <summary>sha256 of the uncompressed tar (verified when captured).</summary>
    public required string DiffId { get; init; }

    public required long CompressedBytes { get; init; }
    public required long UncompressedBytes { get; init; }
    public required CompressionKind Compression { get; init; }
    public required long SizeBytes { get; init; }
    public required int EntryCount { get; init; }

    /// <summary>Per dictionary node: its parent node (-1: the image root).</summary>
    public required int[] Parents { get; init; }

    /// <summary>Per dictionary node: the end of its name in <see cref="Names"/> (a node's name starts where the previous one ends).</summary>
    public required int[] NameEnds { get; init; }

    /// <summary>Every node's name, UTF-8, back to back.</summary>
    public required byte[] Names { get; init; }

    /// <summary>The change set's versions with <see cref="FileVersion.Node"/> (and a hard link's target) as dictionary nodes.</summary>
    public required FileVersion[] Versions { get; init; }

    public required int[] Whiteouts { get; init; }
    public required int[] OpaqueDirectories { get; init; }
    public required string[] SymlinkTargets { get; init; }

    /// <summary>Takes a layer's change set out of <paramref name="paths"/> (call it after the read was verified).</summary>
    public static CachedLayer Capture(
        LayerChangeSet changes, PathTable paths, string blobDigest, string diffId, long compressedBytes, long uncompressedBytes, CompressionKind compression)
    {
        // Table node → dictionary node + 1 (0: not yet numbered). Every node this layer names, and its ancestors, already exist.
        var dictionary = new int[paths.Count];
        var parents = new List<int>();
        var nameEnds = new List<int>();
        var names = new ArrayBufferWriter<byte>();
        var chain = new List<int>();

        int Local(int node)
        {
            if (node == PathTable.Root)
            {
                return -1;
            }
            if (dictionary[node] != 0)
            {
                return dictionary[node] - 1;
            }
            // Walk up to the first ancestor already known, then number the chain from the top down (parents first).
            chain.Clear();
            var parent = node;
            for (; parent != PathTable.Root && dictionary[parent] == 0; parent = paths.Parent(parent))
            {
                chain.Add(parent);
            }
            var local = parent == PathTable.Root ? -1 : dictionary[parent] - 1;
            for (var i = chain.Count - 1; i >= 0; i--)
            {
                parents.Add(local);
                paths.AppendNameUtf8(chain[i], names);
                nameEnds.Add(names.WrittenCount);
                local = parents.Count - 1;
                dictionary[chain[i]] = local + 1;
            }
            return local;
        }

        var versions = new FileVersion[changes.Versions.Count];
        for (var i = 0; i < versions.Length; i++)
        {
            var v = changes.Versions[i];
            v.Node = Local(v.Node);
            if (v.Kind == EntryKind.HardLink)
            {
                v.Link = Local(v.Link);
            }
            versions[i] = v;
        }
        var whiteouts = changes.Whiteouts.Select(Local).ToArray();
        var opaque = changes.OpaqueDirectories.Select(Local).ToArray();
        return new CachedLayer
        {
            BlobDigest = blobDigest,
            DiffId = diffId,
            CompressedBytes = compressedBytes,
            UncompressedBytes = uncompressedBytes,
            Compression = compression,
            SizeBytes = changes.SizeBytes,
            EntryCount = changes.EntryCount,
            Parents = [.. parents],
            NameEnds = [.. nameEnds],
            Names = names.WrittenSpan.ToArray(),
            Versions = versions,
            Whiteouts = whiteouts,
            OpaqueDirectories = opaque,
            SymlinkTargets = [.. changes.SymlinkTargets],
        };
    }

    /// <summary>The change set of layer <paramref name="index"/>, its paths interned into <paramref name="paths"/>.</summary>
    public LayerChangeSet Restore(int index, PathTable paths)
    {
        var nodes = new int[Parents.Length];
        var start = 0;
        for (var i = 0; i < nodes.Length; i++)
        {
            var parent = Parents[i] < 0 ? PathTable.Root : nodes[Parents[i]];
            nodes[i] = paths.InternChild(parent, Names.AsSpan(start, NameEnds[i] - start));
            start = NameEnds[i];
        }
        int Node(int local) => local < 0 ? PathTable.Root : nodes[local];

        var changes = new LayerChangeSet(index) { SizeBytes = SizeBytes, EntryCount = EntryCount };
        foreach (var stored in Versions)
        {
            var v = stored;
            v.Node = Node(v.Node);
            if (v.Kind == EntryKind.HardLink)
            {
                v.Link = Node(v.Link);
            }
            changes.Versions.Add(v);
        }
        foreach (var w in Whiteouts)
        {
            changes.Whiteouts.Add(Node(w));
        }
        foreach (var o in OpaqueDirectories)
        {
            changes.OpaqueDirectories.Add(Node(o));
        }
        changes.SymlinkTargets.AddRange(SymlinkTargets);
        return changes;
    }
}
