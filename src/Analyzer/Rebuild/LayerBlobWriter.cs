using System.Security.Cryptography;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images;

namespace LayerLens.Analyzer.Rebuild;

public enum RebuildCompression
{
    Gzip,
    Zstd,
}

/// <summary>A blob written into the layout: its digest, size and, for layers, the digest of its uncompressed tar.</summary>
public sealed record WrittenBlob(string MediaType, string Digest, long Size, string? DiffId, long UncompressedSize);

/// <summary>
/// Writes one rewritten layer: the file contents it needs are copied from the source layer tars (streamed,
/// never unpacked) into a spool file, then the tar is written in sorted order from the spool through a
/// deterministic block compressor (<see cref="BlockCompressor"/>: fixed-size blocks compressed on every
/// core, written in order), hashing the tar (diff id) and the blob (digest) on the way.
/// </summary>
internal static class LayerBlobWriter
{
    public static async Task<WrittenBlob> WriteAsync(ResolvedImage image, List<PlannedEntry> entries, RebuildCompression compression,
        string blobsDir, AnalysisLimits limits, CancellationToken cancellationToken)
    {
        var spoolPath = Path.Combine(blobsDir, ".spool");
        var spans = new Dictionary<EntryLocation, (long Offset, long Length)>();
        var needed = entries.Where(e => e.Kind == PlannedKind.Entry && e.Meta is { Type: FinalEntryType.File, Size: > 0 })
            .Select(e => e.Meta!.Content).ToHashSet();
        try
        {
            await using (var spool = new FileStream(spoolPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var budget = new ImageByteBudget(limits.MaxImageUncompressedBytes);
                foreach (var layer in needed.Select(n => n.Layer).Distinct().Order())
                {
                    await SourceLayerEntries.ForEachAsync(image.Layers[layer], limits, budget, e =>
                    {
                        var at = new EntryLocation(layer, e.Ordinal);
                        if (needed.Contains(at) && e.Data is { } data)
                        {
                            var offset = spool.Position;
                            data.CopyTo(spool);
                            spans[at] = (offset, spool.Position - offset);
                        }
                    }, cancellationToken);
                }
            }
            var tempBlob = Path.Combine(blobsDir, ".layer");
            long tarBytes;
            string diffId;
            string digest;
            long size;
            await using (var file = new FileStream(tempBlob, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            await using (var spool = new FileStream(spoolPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            {
                using var blobHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                using var tarHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var blobSink = new HashingWriteStream(file, blobHash);
                using var compressor = new BlockCompressor(blobSink, compression, Environment.ProcessorCount);
                var tarSink = new HashingWriteStream(compressor, tarHash);
                var tar = new DeterministicTarWriter(tarSink);
                var buffer = new byte[1 << 16];
                foreach (var entry in entries)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    WriteEntry(tar, entry, spool, spans, buffer);
                }
                tar.Finish();
                compressor.Finish();
                blobSink.Flush();
                tarBytes = tar.BytesWritten;
                diffId = "sha256:" + Convert.ToHexStringLower(tarHash.GetHashAndReset());
                digest = "sha256:" + Convert.ToHexStringLower(blobHash.GetHashAndReset());
                size = blobSink.Length;
            }
            File.Move(tempBlob, Path.Combine(blobsDir, digest["sha256:".Length..]), overwrite: true);
            var mediaType = compression == RebuildCompression.Gzip ? OciLayoutWriter.LayerGzip : OciLayoutWriter.LayerZstd;
            return new WrittenBlob(mediaType, digest, size, diffId, tarBytes);
        }
        finally
        {
            File.Delete(spoolPath);
        }
    }

    private static void WriteEntry(DeterministicTarWriter tar, PlannedEntry entry, FileStream spool, Dictionary<EntryLocation, (long Offset, long Length)> spans, byte[] buffer)
    {
        if (entry.Kind == PlannedKind.Whiteout)
        {
            tar.WriteHeader(entry.Path, '0', null, null, 0);
            return;
        }
        var meta = entry.Meta!;
        if (entry.Kind == PlannedKind.HardLink)
        {
            tar.WriteHeader(entry.Path, '1', meta, entry.LinkTo, 0);
            return;
        }
        var flag = meta.Type switch
        {
            FinalEntryType.File => '0',
            FinalEntryType.Symlink => '2',
            FinalEntryType.CharDevice => '3',
            FinalEntryType.BlockDevice => '4',
            FinalEntryType.Directory => '5',
            _ => '6',
        };
        if (meta.Type != FinalEntryType.File || meta.Size == 0)
        {
            tar.WriteHeader(entry.Path, flag, meta, meta.LinkTarget, 0);
            return;
        }
        var (offset, length) = spans[meta.Content];
        if (length != meta.Size)
        {
            throw new InvalidImageException($"/{entry.Path}: the source entry gave {length} bytes on the second read, {meta.Size} on the first");
        }
        tar.WriteHeader(entry.Path, flag, meta, null, length);
        spool.Position = offset;
        var left = length;
        while (left > 0)
        {
            var n = spool.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n == 0)
            {
                throw new EndOfStreamException("spool file ended early");
            }
            tar.Write(buffer.AsSpan(0, n));
            left -= n;
        }
        tar.Pad(length);
    }
}
