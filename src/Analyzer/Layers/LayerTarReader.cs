using System.Buffers;
using System.Formats.Tar;
using System.IO.Hashing;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images;

namespace LayerLens.Analyzer.Layers;

/// <summary>
/// Reads a layer tar in one streaming pass: interns every path, sorts out whiteouts and opaque
/// markers, and hashes each regular file's content (XxHash128) as it goes by.
/// </summary>
public static class LayerTarReader
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";
    private const string WhiteoutMetaPrefix = ".wh..wh.";

    public static LayerChangeSet Read(Stream content, int layerIndex, string layerName, PathTable paths, AnalysisLimits limits, ImageByteBudget? budget = null)
    {
        var changes = new LayerChangeSet(layerIndex);
        var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
        var hasher = new XxHash128();
        string? current = null;
        long sparseBytes = 0;
        try
        {
            var headers = new GnuSparseHeaderStream(content);
            using var reader = new TarEntrySource(headers);
            TarEntry? entry;
            while ((entry = NextEntry(reader, headers, layerName, current)) is not null)
            {
                current = SparseFiles.NameOf(entry);
                if (headers.LastPaxSparseError is { } sparseError)
                {
                    throw new InvalidImageException($"{layerName}, entry '{current}': GNU sparse 0.0 map unusable: {sparseError}");
                }
                if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
                {
                    continue;
                }
                if (++changes.EntryCount > limits.MaxEntriesPerLayer)
                {
                    throw new InvalidImageException($"{layerName}: more than {limits.MaxEntriesPerLayer} entries (limit)");
                }
                if (current.Length > limits.MaxPathLength)
                {
                    throw new InvalidImageException($"{layerName}, entry '{current[..Math.Min(64, current.Length)]}…': path longer than {limits.MaxPathLength} characters (limit)");
                }
                var path = PathNormalizer.Normalize(current)
                    ?? throw new InvalidImageException($"{layerName}, entry '{current}': path escapes the image root");
                if (path.Length == 0)
                {
                    continue;
                }
                // AUFS internals (.wh..wh.plnk/… and friends) are metadata, wherever they sit.
                if (path.StartsWith(WhiteoutMetaPrefix, StringComparison.Ordinal) || path.Contains("/" + WhiteoutMetaPrefix, StringComparison.Ordinal))
                {
                    if (!path.EndsWith(OpaqueMarker, StringComparison.Ordinal))
                    {
                        continue;
                    }
                }
                var slash = path.LastIndexOf('/');
                var baseName = path.AsSpan(slash + 1);
                if (baseName.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
                {
                    var dir = slash < 0 ? ReadOnlySpan<char>.Empty : path.AsSpan(0, slash);
                    if (baseName.SequenceEqual(OpaqueMarker))
                    {
                        changes.OpaqueDirectories.Add(paths.Intern(dir));
                    }
                    else if (!baseName.StartsWith(WhiteoutMetaPrefix, StringComparison.Ordinal))
                    {
                        changes.Whiteouts.Add(paths.Intern(slash < 0 ? path[WhiteoutPrefix.Length..] : string.Concat(dir, "/", baseName[WhiteoutPrefix.Length..])));
                    }
                    continue;
                }

                var version = new FileVersion { Node = paths.Intern(path), Link = -1 };
                if (SparseFiles.IsSparse(entry, headers.LastSparse))
                {
                    var where = $"{layerName}, entry '{current}'";
                    var (realSize, hash) = SparseFiles.Hash(entry, headers.LastSparse, hasher, buffer, limits.MaxLayerUncompressedBytes - sparseBytes, where);
                    sparseBytes += realSize;
                    budget?.ChargeSparse(realSize, layerName);
                    CheckSize(realSize, layerName, current);
                    version.Kind = EntryKind.File;
                    version.Size = realSize;
                    version.Hash = hash;
                    changes.SizeBytes += realSize;
                    changes.Versions.Add(version);
                    continue;
                }
                switch (entry.EntryType)
                {
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        version.Kind = EntryKind.File;
                        CheckSize(entry.Length, layerName, current);
                        version.Size = entry.Length;
                        version.Hash = HashContent(entry.DataStream, hasher, buffer, layerName, current);
                        changes.SizeBytes += entry.Length;
                        break;
                    case TarEntryType.Directory:
                        version.Kind = EntryKind.Directory;
                        break;
                    case TarEntryType.SymbolicLink:
                        version.Kind = EntryKind.Symlink;
                        version.Link = changes.SymlinkTargets.Count;
                        changes.SymlinkTargets.Add(entry.LinkName);
                        break;
                    case TarEntryType.HardLink:
                        version.Kind = EntryKind.HardLink;
                        var target = PathNormalizer.Normalize(entry.LinkName);
                        if (string.IsNullOrEmpty(target))
                        {
                            throw new InvalidImageException($"{layerName}, entry '{current}': hard link target '{entry.LinkName}' escapes the image root");
                        }
                        version.Link = paths.Intern(target);
                        break;
                    case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                        version.Kind = EntryKind.Other;
                        break;
                    default:
                        throw new InvalidImageException($"{layerName}, entry '{current}': unsupported tar entry type {entry.EntryType}");
                }
                changes.Versions.Add(version);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return changes;
    }

    private static void CheckSize(long size, string layerName, string entry)
    {
        if (size is < 0 or > FileVersion.MaxSize)
        {
            throw new InvalidImageException($"{layerName}, entry '{entry}': a size of {size} bytes is beyond what any image can hold");
        }
    }

    private static TarEntry? NextEntry(TarEntrySource reader, GnuSparseHeaderStream headers, string layerName, string? previous)
    {
        try
        {
            return reader.Next();
        }
        catch (TarHeaderTooLargeException ex)
        {
            var where = previous is null ? "at the first entry" : $"after entry '{previous}'";
            throw new InvalidImageException($"{layerName}: {ex.What} {where} has {ex.Size:N0} bytes, over the limit of {PaxSparse00.MaxHeaderBytes:N0}", ex);
        }
        // InvalidOperationException: TarReader's refusal of a metadata size past Array.MaxLength.
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or ArgumentException or OverflowException or NotSupportedException or InvalidOperationException)
        {
            var where = previous is null ? "at the first entry" : $"after entry '{previous}'";
            throw new InvalidImageException($"{layerName}: corrupt tar header {where} ({ex.Message})", ex);
        }
    }

    private static UInt128 HashContent(Stream? data, XxHash128 hasher, byte[] buffer, string layerName, string entry)
    {
        hasher.Reset();
        if (data is null)
        {
            return hasher.GetCurrentHashAsUInt128();
        }
        try
        {
            int n;
            while ((n = data.Read(buffer, 0, buffer.Length)) > 0)
            {
                hasher.Append(buffer.AsSpan(0, n));
            }
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException)
        {
            throw new InvalidImageException($"{layerName}, entry '{entry}': content ends early ({ex.Message})", ex);
        }
        return hasher.GetCurrentHashAsUInt128();
    }
}
