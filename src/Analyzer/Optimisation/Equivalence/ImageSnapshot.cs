using System.Formats.Tar;
using System.IO.Hashing;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Layers;

namespace LayerLens.Analyzer.Optimisation.Equivalence;

/// <summary>One path of a final filesystem: what equivalence compares (timestamps deliberately absent).</summary>
public sealed record SnapshotEntry(string Type, int Mode, int Uid, int Gid, string? LinkTarget, long Size, string? ContentHash);

/// <summary>
/// The final merged filesystem and runtime config of an image, read with the image engine's source and
/// blob readers: layers streamed in order, whiteouts and opaque directories applied, contents hashed.
/// </summary>
public sealed class ImageSnapshot
{
    public const int MaxEntries = 2_000_000;

    public required SortedDictionary<string, SnapshotEntry> Files { get; init; }

    public required RuntimeConfig Config { get; init; }

    public static async Task<ImageSnapshot> ReadAsync(string source, CancellationToken cancellationToken)
    {
        var limits = AnalysisLimits.Default;
        using var image = await ImageOpener.OpenAsync(source, new ImageOpenOptions { Limits = limits }, cancellationToken);
        var files = new SortedDictionary<string, SnapshotEntry>(StringComparer.Ordinal);
        var budget = new ImageByteBudget(limits.MaxImageUncompressedBytes);
        var buffer = new byte[81920];
        foreach (var layer in image.Layers)
        {
            await using var raw = await layer.Open(cancellationToken);
            await using var content = new LayerBlobStream(raw, layer, limits, budget);
            using var reader = new TarReader(content, leaveOpen: true);
            var written = new HashSet<string>(StringComparer.Ordinal);
            TarEntry? entry;
            while ((entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken)) is not null)
            {
                if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
                {
                    continue;
                }
                var path = PathNormalizer.Normalize(entry.Name) ?? throw new InvalidImageException($"{layer.Describe()}, entry '{entry.Name}': path escapes the image root");
                if (path.Length == 0)
                {
                    continue;
                }
                var slash = path.LastIndexOf('/');
                var name = path[(slash + 1)..];
                var dir = slash < 0 ? "" : path[..slash];
                if (name == ".wh..wh..opq")
                {
                    RemoveBelow(files, dir, keep: written);
                    continue;
                }
                if (name.StartsWith(".wh..wh.", StringComparison.Ordinal))
                {
                    continue;
                }
                if (name.StartsWith(".wh.", StringComparison.Ordinal))
                {
                    var target = (dir.Length == 0 ? "" : dir + "/") + name[4..];
                    files.Remove(target);
                    RemoveBelow(files, target, keep: null);
                    continue;
                }
                if (files.Count >= MaxEntries)
                {
                    throw new InvalidImageException($"{layer.Describe()}: more than {MaxEntries} paths (limit)");
                }
                string? hash = null;
                var type = entry.EntryType switch
                {
                    TarEntryType.Directory => "dir",
                    TarEntryType.SymbolicLink => "symlink",
                    TarEntryType.HardLink => "hardlink",
                    TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => "file",
                    _ => entry.EntryType.ToString(),
                };
                if (type == "file" && entry.DataStream is { } data)
                {
                    var hasher = new XxHash128();
                    int read;
                    while ((read = await data.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        hasher.Append(buffer.AsSpan(0, read));
                    }
                    hash = Convert.ToHexStringLower(hasher.GetCurrentHash());
                }
                if (type != "dir")
                {
                    // A non-directory replaces whatever was there, including a directory's contents.
                    RemoveBelow(files, path, keep: null);
                }
                files[path] = new SnapshotEntry(type, (int)entry.Mode, entry.Uid, entry.Gid,
                    type is "symlink" or "hardlink" ? entry.LinkName : null, type == "file" ? entry.Length : 0, hash);
                written.Add(path);
            }
            content.Complete();
        }
        return new ImageSnapshot { Files = files, Config = image.Config.Config ?? new RuntimeConfig() };
    }

    private static void RemoveBelow(SortedDictionary<string, SnapshotEntry> files, string dir, HashSet<string>? keep)
    {
        var prefix = dir.Length == 0 ? "" : dir + "/";
        foreach (var key in files.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && k != dir && (keep is null || !keep.Contains(k))).ToList())
        {
            files.Remove(key);
        }
    }
}
