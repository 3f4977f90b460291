using System.Formats.Tar;
using System.Globalization;
using System.IO.Hashing;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Layers;

namespace LayerLens.Analyzer.Rebuild;

/// <summary>
/// Applies an image's layers in order the way a container runtime unpacks them (whiteouts, opaque
/// directories, a non-directory replacing a directory, hard links sharing their target's inode) and keeps
/// every path's full metadata: the rebuild plans from it and proves its output against it. The analysis
/// tree keeps less (no times, names, xattrs or device numbers), so this reader exists beside it.
/// </summary>
public sealed class FinalViewReader
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";

    // PAX records that header fields carry; everything else is kept verbatim.
    private static readonly HashSet<string> HeaderRecords = new(StringComparer.Ordinal) { "path", "linkpath", "size", "uid", "gid", "uname", "gname", "mtime" };

    private readonly Dictionary<string, FinalEntry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _children = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<FinalEntry>> _dirVersions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _removedAt = new(StringComparer.Ordinal);
    private Dictionary<string, FinalEntryType> _kept = new(StringComparer.Ordinal);
    private readonly byte[] _buffer = new byte[128 * 1024];
    private readonly XxHash128 _hasher = new();
    private readonly AnalysisLimits _limits;
    private int _nextGroup;
    private int _layer;
    private int _keptCount;

    private FinalViewReader(AnalysisLimits limits) => _limits = limits;

    /// <param name="keptCount">Layers kept as they are: the view after them is remembered for whiteouts.</param>
    public static async Task<FinalView> ReadAsync(ResolvedImage image, int keptCount, AnalysisLimits limits, CancellationToken cancellationToken)
    {
        var reader = new FinalViewReader(limits) { _keptCount = keptCount };
        var budget = new ImageByteBudget(limits.MaxImageUncompressedBytes);
        for (var i = 0; i < image.Layers.Count; i++)
        {
            if (i == keptCount)
            {
                reader.Snapshot();
            }
            reader._layer = i;
            await SourceLayerEntries.ForEachAsync(image.Layers[i], limits, budget, e => reader.Apply(e, image.Layers[i].Describe()), cancellationToken);
        }
        if (keptCount >= image.Layers.Count)
        {
            reader.Snapshot();
        }
        return new FinalView
        {
            Entries = reader._entries,
            DirectoryVersions = reader._dirVersions,
            KeptPaths = reader._kept,
            RemovedAt = reader._removedAt,
            LayerCount = image.Layers.Count,
        };
    }

    private void Snapshot() => _kept = _entries.ToDictionary(e => e.Key, e => e.Value.Type, StringComparer.Ordinal);

    private void Apply(SourceEntry source, string where)
    {
        var path = source.Path;
        var slash = path.LastIndexOf('/');
        var dir = slash < 0 ? "" : path[..slash];
        var name = path[(slash + 1)..];
        if (name == OpaqueMarker)
        {
            RemoveLowerBelow(dir);
            return;
        }
        if (name.StartsWith(WhiteoutPrefix + WhiteoutPrefix, StringComparison.Ordinal))
        {
            return; // AUFS metadata (.wh..wh.plnk …), not part of the filesystem
        }
        if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            Remove((dir.Length == 0 ? "" : dir + "/") + name[WhiteoutPrefix.Length..]);
            return;
        }
        if (_entries.Count >= _limits.MaxEntriesPerLayer * 4L)
        {
            throw new InvalidImageException($"{where}: more than {_limits.MaxEntriesPerLayer * 4L} visible paths (limit)");
        }
        var entry = Describe(source, where);
        if (_entries.TryGetValue(path, out var existing) && (existing.Type != FinalEntryType.Directory || entry.Type != FinalEntryType.Directory))
        {
            Remove(path);
        }
        _entries[path] = entry;
        if (!_children.TryGetValue(dir, out var siblings))
        {
            _children[dir] = siblings = new HashSet<string>(StringComparer.Ordinal);
        }
        siblings.Add(path);
        if (entry.Type == FinalEntryType.Directory)
        {
            if (!_dirVersions.TryGetValue(path, out var versions))
            {
                _dirVersions[path] = versions = [];
            }
            versions.Add(entry);
        }
    }

    private FinalEntry Describe(SourceEntry source, string where)
    {
        var e = source.Entry;
        var pax = e is PaxTarEntry p ? p.ExtendedAttributes : null;
        var records = pax is null
            ? []
            : pax.Where(r => !HeaderRecords.Contains(r.Key) && !SourceEntry.IsSparseRecord(r.Key)).OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        var mtime = pax is not null && pax.TryGetValue("mtime", out var m) ? m : e.ModificationTime.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var posix = e as PosixTarEntry;
        if (e.EntryType == TarEntryType.HardLink)
        {
            var target = PathNormalizer.Normalize(e.LinkName);
            if (string.IsNullOrEmpty(target))
            {
                throw new InvalidImageException($"{where}, entry '{source.Path}': hard link target '{e.LinkName}' escapes the image root");
            }
            // Refused as the analysis refuses it (LayeredTree): link(2) on such a target fails every runtime's unpack.
            // Symlinks, devices and fifos may be hard-linked: they join a link group like files.
            _entries.TryGetValue(target, out var linked);
            var why = target == source.Path ? "the link itself"
                : linked is null ? "not present at this point"
                : linked.Type == FinalEntryType.Directory ? "a directory"
                : null;
            if (why is not null)
            {
                throw new InvalidImageException(FileTree.LayeredTree.HardLinkRefusal(where, source.Path, target, why));
            }
            if (linked!.LinkGroup < 0)
            {
                linked.LinkGroup = _nextGroup++;
            }
            // A hard link is its target's inode: same content and metadata, whatever the link's own header says.
            return linked with { Layer = _layer, LinkGroup = linked.LinkGroup };
        }
        var type = e.EntryType switch
        {
            TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => FinalEntryType.File,
            TarEntryType.Directory => FinalEntryType.Directory,
            TarEntryType.SymbolicLink => FinalEntryType.Symlink,
            TarEntryType.CharacterDevice => FinalEntryType.CharDevice,
            TarEntryType.BlockDevice => FinalEntryType.BlockDevice,
            TarEntryType.Fifo => FinalEntryType.Fifo,
            _ => throw new InvalidImageException($"{where}, entry '{source.Path}': tar entry type {e.EntryType} cannot be rebuilt"),
        };
        _hasher.Reset();
        long size = 0;
        if (type == FinalEntryType.File && source.Data is { } data)
        {
            try
            {
                int n;
                while ((n = data.Read(_buffer, 0, _buffer.Length)) > 0)
                {
                    _hasher.Append(_buffer.AsSpan(0, n));
                    size += n;
                }
            }
            catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException)
            {
                throw new InvalidImageException($"{where}, entry '{source.Path}': content ends early ({ex.Message})", ex);
            }
        }
        return new FinalEntry
        {
            Type = type,
            Mode = (int)e.Mode,
            Uid = e.Uid,
            Gid = e.Gid,
            UserName = posix?.UserName ?? "",
            GroupName = posix?.GroupName ?? "",
            ModificationTime = mtime,
            LinkTarget = type == FinalEntryType.Symlink ? e.LinkName : null,
            DeviceMajor = type is FinalEntryType.CharDevice or FinalEntryType.BlockDevice ? posix?.DeviceMajor ?? 0 : 0,
            DeviceMinor = type is FinalEntryType.CharDevice or FinalEntryType.BlockDevice ? posix?.DeviceMinor ?? 0 : 0,
            Size = size,
            ContentHash = _hasher.GetCurrentHashAsUInt128(),
            PaxRecords = records,
            Layer = _layer,
            Content = new EntryLocation(_layer, source.Ordinal),
        };
    }

    /// <summary>Removes a path and everything below it.</summary>
    private void Remove(string path)
    {
        if (_entries.Remove(path))
        {
            Removed(path);
        }
        _dirVersions.Remove(path);
        if (_children.Remove(path, out var children))
        {
            foreach (var child in children)
            {
                Remove(child);
            }
        }
        var slash = path.LastIndexOf('/');
        if (_children.TryGetValue(slash < 0 ? "" : path[..slash], out var siblings))
        {
            siblings.Remove(path);
        }
    }

    /// <summary>An opaque directory hides everything lower layers put below it; what this layer wrote stays.</summary>
    private void RemoveLowerBelow(string dir)
    {
        if (!_children.TryGetValue(dir, out var children))
        {
            return;
        }
        foreach (var child in children.ToList())
        {
            if (!_entries.TryGetValue(child, out var e) || e.Layer != _layer)
            {
                Remove(child);
            }
            else if (e.Type == FinalEntryType.Directory)
            {
                RemoveLowerBelow(child);
            }
        }
    }

    private void Removed(string path)
    {
        if (_layer >= _keptCount && _kept.ContainsKey(path))
        {
            _removedAt[path] = _layer;
        }
    }
}
