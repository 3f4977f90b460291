using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using System.Text.Unicode;
using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Layers.Cache;

/// <summary>
/// One cached layer as bytes, little-endian: magic "LLLC", format version (u32), the key line, the result
/// (digests, byte counts, path dictionary, versions, whiteouts, opaque directories, symlink targets), then an
/// XxHash128 of everything before it. <see cref="TryRead"/> trusts nothing: a wrong checksum, version or key, a
/// short or overlong field, or an index pointing nowhere makes the entry unreadable (null), never an exception.
/// </summary>
public static class LayerEntryFormat
{
    private static ReadOnlySpan<byte> Magic => "LLLC"u8;
    private const int ChecksumBytes = 16;

    public static byte[] Write(LayerCacheKey key, CachedLayer layer)
    {
        var w = new ArrayBufferWriter<byte>(64 + layer.Names.Length + layer.Versions.Length * 33 + layer.Parents.Length * 6);
        w.Write(Magic);
        U32(w, (uint)key.FormatVersion);
        Text(w, key.ToString());
        Text(w, layer.BlobDigest);
        Text(w, layer.DiffId);
        I64(w, layer.CompressedBytes);
        I64(w, layer.UncompressedBytes);
        w.Write([(byte)layer.Compression]);
        I64(w, layer.SizeBytes);
        I32(w, layer.EntryCount);

        I32(w, layer.Parents.Length);
        var start = 0;
        for (var i = 0; i < layer.Parents.Length; i++)
        {
            I32(w, layer.Parents[i]);
            U16(w, (ushort)(layer.NameEnds[i] - start));
            start = layer.NameEnds[i];
        }
        I32(w, layer.Names.Length);
        w.Write(layer.Names);

        I32(w, layer.Versions.Length);
        foreach (var v in layer.Versions)
        {
            var span = w.GetSpan(33);
            BinaryPrimitives.WriteUInt128LittleEndian(span, v.Hash);
            BinaryPrimitives.WriteInt64LittleEndian(span[16..], v.Size);
            span[24] = (byte)v.Kind;
            BinaryPrimitives.WriteInt32LittleEndian(span[25..], v.Node);
            BinaryPrimitives.WriteInt32LittleEndian(span[29..], v.Link);
            w.Advance(33);
        }
        Ints(w, layer.Whiteouts);
        Ints(w, layer.OpaqueDirectories);
        I32(w, layer.SymlinkTargets.Length);
        foreach (var target in layer.SymlinkTargets)
        {
            var bytes = Encoding.UTF8.GetBytes(target);
            I32(w, bytes.Length);
            w.Write(bytes);
        }
        var checksum = XxHash128.HashToUInt128(w.WrittenSpan);
        BinaryPrimitives.WriteUInt128LittleEndian(w.GetSpan(ChecksumBytes), checksum);
        w.Advance(ChecksumBytes);
        return w.WrittenSpan.ToArray();
    }

    /// <summary>The layer stored in <paramref name="entry"/> for <paramref name="key"/>, or null when the bytes are not exactly that.</summary>
    public static CachedLayer? TryRead(ReadOnlySpan<byte> entry, LayerCacheKey key)
    {
        if (entry.Length < Magic.Length + 4 + ChecksumBytes
            || BinaryPrimitives.ReadUInt128LittleEndian(entry[^ChecksumBytes..]) != XxHash128.HashToUInt128(entry[..^ChecksumBytes]))
        {
            return null;
        }
        var r = new SpanReader(entry[..^ChecksumBytes]);
        if (!r.Bytes(Magic.Length).SequenceEqual(Magic) || r.U32() != (uint)key.FormatVersion || key.FormatVersion != LayerCacheKey.CurrentFormatVersion
            || r.Text() != key.ToString())
        {
            return null;
        }
        var blobDigest = r.Text();
        var diffId = r.Text();
        var compressed = r.I64();
        var uncompressed = r.I64();
        var compression = (CompressionKind)r.Byte();
        var sizeBytes = r.I64();
        var entryCount = r.I32();
        if (r.Failed || blobDigest != key.BlobDigest || diffId != key.DiffId || compressed < 0 || uncompressed < 0 || sizeBytes < 0 || entryCount < 0
            || !Enum.IsDefined(compression))
        {
            return null;
        }

        var nodeCount = r.Count(6);
        var parents = new int[nodeCount];
        var nameEnds = new int[nodeCount];
        var end = 0;
        for (var i = 0; i < nodeCount && !r.Failed; i++)
        {
            parents[i] = r.I32();
            var length = r.U16();
            end += length;
            nameEnds[i] = end;
            if (parents[i] < -1 || parents[i] >= i || length == 0)
            {
                return null;
            }
        }
        var namesLength = r.Count(1);
        if (r.Failed || namesLength != end)
        {
            return null;
        }
        var names = r.Bytes(namesLength).ToArray();
        if (r.Failed || !ValidNames(names, nameEnds))
        {
            return null;
        }

        var versions = new FileVersion[r.Count(33)];
        var versionsReader = r.Bytes(versions.Length * 33);
        if (r.Failed)
        {
            return null;
        }
        var whiteouts = r.Ints(-1, nodeCount);
        var opaque = r.Ints(-1, nodeCount);
        var symlinks = new string[r.Count(4)];
        for (var i = 0; i < symlinks.Length && !r.Failed; i++)
        {
            var bytes = r.Bytes(r.Count(1));
            symlinks[i] = Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : "";
            r.Failed |= !Utf8.IsValid(bytes);
        }
        if (r.Failed || !r.AtEnd || whiteouts is null || opaque is null
            || !TryReadVersions(versionsReader, versions, nodeCount, symlinks.Length))
        {
            return null;
        }
        return new CachedLayer
        {
            BlobDigest = blobDigest,
            DiffId = diffId,
            CompressedBytes = compressed,
            UncompressedBytes = uncompressed,
            Compression = compression,
            SizeBytes = sizeBytes,
            EntryCount = entryCount,
            Parents = parents,
            NameEnds = nameEnds,
            Names = names,
            Versions = versions,
            Whiteouts = whiteouts,
            OpaqueDirectories = opaque,
            SymlinkTargets = symlinks,
        };
    }

    private static bool TryReadVersions(ReadOnlySpan<byte> bytes, FileVersion[] versions, int nodeCount, int symlinkCount)
    {
        for (var i = 0; i < versions.Length; i++)
        {
            var span = bytes.Slice(i * 33, 33);
            var size = BinaryPrimitives.ReadInt64LittleEndian(span[16..]);
            var kind = (EntryKind)span[24];
            var node = BinaryPrimitives.ReadInt32LittleEndian(span[25..]);
            var link = BinaryPrimitives.ReadInt32LittleEndian(span[29..]);
            var linkOk = kind switch
            {
                EntryKind.HardLink => link >= 0 && link < nodeCount,
                EntryKind.Symlink => link >= 0 && link < symlinkCount,
                _ => link == -1,
            };
            if (size is < 0 or > FileVersion.MaxSize || kind > EntryKind.Other || node < 0 || node >= nodeCount || !linkOk)
            {
                return false;
            }
            versions[i] = new FileVersion { Hash = BinaryPrimitives.ReadUInt128LittleEndian(span), Size = size, Kind = kind, Node = node, Link = link };
        }
        return true;
    }

    /// <summary>Each name is one path segment a cold read could have produced: valid UTF-8, no '/', not "." or "..".</summary>
    private static bool ValidNames(byte[] names, int[] nameEnds)
    {
        if (!Utf8.IsValid(names) || names.AsSpan().Contains((byte)'/'))
        {
            return false;
        }
        var start = 0;
        foreach (var end in nameEnds)
        {
            var name = names.AsSpan(start, end - start);
            if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
            {
                return false;
            }
            start = end;
        }
        return true;
    }

    private static void U16(ArrayBufferWriter<byte> w, ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(w.GetSpan(2), value);
        w.Advance(2);
    }

    private static void U32(ArrayBufferWriter<byte> w, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(w.GetSpan(4), value);
        w.Advance(4);
    }

    private static void I32(ArrayBufferWriter<byte> w, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(w.GetSpan(4), value);
        w.Advance(4);
    }

    private static void I64(ArrayBufferWriter<byte> w, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(w.GetSpan(8), value);
        w.Advance(8);
    }

    private static void Ints(ArrayBufferWriter<byte> w, int[] values)
    {
        I32(w, values.Length);
        foreach (var v in values)
        {
            I32(w, v);
        }
    }

    private static void Text(ArrayBufferWriter<byte> w, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        U16(w, checked((ushort)bytes.Length));
        w.Write(bytes);
    }
}
