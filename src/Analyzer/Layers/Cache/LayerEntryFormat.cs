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

    /// <summary>The entry's bytes, in one array of exactly their size (no growing buffer, no copy: entries of big layers are megabytes).</summary>
    public static byte[] Write(LayerCacheKey key, CachedLayer layer)
    {
        var keyLine = Encoding.UTF8.GetBytes(key.ToString());
        var blobDigest = Encoding.UTF8.GetBytes(layer.BlobDigest);
        var diffId = Encoding.UTF8.GetBytes(layer.DiffId);
        var symlinks = layer.SymlinkTargets.Select(Encoding.UTF8.GetBytes).ToArray();
        long size = Magic.Length + 4 + (2 + keyLine.Length) + (2 + blobDigest.Length) + (2 + diffId.Length) + 8 + 8 + 1 + 8 + 4
            + 4 + layer.Parents.Length * 6L + 4 + layer.Names.Length
            + 4 + layer.Versions.Length * 33L
            + 4 + layer.Whiteouts.Length * 4L + 4 + layer.OpaqueDirectories.Length * 4L
            + 4 + symlinks.Sum(t => 4L + t.Length)
            + ChecksumBytes;
        var bytes = GC.AllocateUninitializedArray<byte>(checked((int)size));
        var w = new SpanWriter(bytes);
        w.Bytes(Magic);
        w.U32((uint)key.FormatVersion);
        w.Text(keyLine);
        w.Text(blobDigest);
        w.Text(diffId);
        w.I64(layer.CompressedBytes);
        w.I64(layer.UncompressedBytes);
        w.Next(1)[0] = (byte)layer.Compression;
        w.I64(layer.SizeBytes);
        w.I32(layer.EntryCount);

        w.I32(layer.Parents.Length);
        var start = 0;
        for (var i = 0; i < layer.Parents.Length; i++)
        {
            w.I32(layer.Parents[i]);
            w.U16(checked((ushort)(layer.NameEnds[i] - start)));
            start = layer.NameEnds[i];
        }
        w.I32(layer.Names.Length);
        w.Bytes(layer.Names);

        w.I32(layer.Versions.Length);
        foreach (var v in layer.Versions)
        {
            var span = w.Next(33);
            BinaryPrimitives.WriteUInt128LittleEndian(span, v.Hash);
            BinaryPrimitives.WriteInt64LittleEndian(span[16..], v.Size);
            span[24] = (byte)v.Kind;
            BinaryPrimitives.WriteInt32LittleEndian(span[25..], v.Node);
            BinaryPrimitives.WriteInt32LittleEndian(span[29..], v.Link);
        }
        w.Ints(layer.Whiteouts);
        w.Ints(layer.OpaqueDirectories);
        w.I32(symlinks.Length);
        foreach (var target in symlinks)
        {
            w.I32(target.Length);
            w.Bytes(target);
        }
        var body = bytes.AsSpan(0, bytes.Length - ChecksumBytes);
        BinaryPrimitives.WriteUInt128LittleEndian(w.Next(ChecksumBytes), XxHash128.HashToUInt128(body));
        return bytes;
    }

    /// <summary>Writes little-endian fields into an array sized beforehand.</summary>
    private ref struct SpanWriter(Span<byte> bytes)
    {
        private readonly Span<byte> _bytes = bytes;
        private int _position;

        public Span<byte> Next(int count)
        {
            var span = _bytes.Slice(_position, count);
            _position += count;
            return span;
        }

        public void Bytes(ReadOnlySpan<byte> value) => value.CopyTo(Next(value.Length));

        public void U16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Next(2), value);

        public void U32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Next(4), value);

        public void I32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Next(4), value);

        public void I64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Next(8), value);

        public void Text(byte[] utf8)
        {
            U16(checked((ushort)utf8.Length));
            Bytes(utf8);
        }

        public void Ints(int[] values)
        {
            I32(values.Length);
            foreach (var v in values)
            {
                I32(v);
            }
        }
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
        if (r.Failed || blobDigest != key.BlobDigest || diffId != key.DiffId || compressed is < 0 or > FileVersion.MaxSize || uncompressed is < 0 or > FileVersion.MaxSize
            || sizeBytes is < 0 or > FileVersion.MaxSize || entryCount < 0
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
}
