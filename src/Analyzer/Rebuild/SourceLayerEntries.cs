using System.Formats.Tar;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Layers;

namespace LayerLens.Analyzer.Rebuild;

/// <summary>
/// One tar entry of a source layer: its position in the tar, its normalised path, the entry and its content as a
/// container sees it (<paramref name="Data"/>: a GNU sparse entry expanded, holes as zeros; readable until the next entry).
/// </summary>
internal readonly record struct SourceEntry(int Ordinal, string Path, TarEntry Entry, Stream? Data)
{
    /// <summary>PAX records that describe the tar encoding of a sparse file, not the file: never copied.</summary>
    public static bool IsSparseRecord(string key) => key.StartsWith("GNU.sparse.", StringComparison.Ordinal);
}

/// <summary>
/// Streams the entries of one source layer blob (decompressed, digests verified at the end) through the same
/// tar plumbing the analysis uses. GNU sparse entries (old GNU 'S', PAX 0.0, 0.1 and 1.0) are handed on with
/// their expanded content, under the same limits as the analysis applies to them.
/// </summary>
internal static class SourceLayerEntries
{
    public static async Task ForEachAsync(LayerBlob layer, AnalysisLimits limits, ImageByteBudget budget, Action<SourceEntry> visit, CancellationToken cancellationToken)
    {
        await using var raw = await layer.Open(cancellationToken);
        using var blob = new LayerBlobStream(raw, layer, limits, budget);
        var where = layer.Describe();
        var headers = new GnuSparseHeaderStream(blob);
        using (var reader = new TarEntrySource(headers))
        {
            var ordinal = -1;
            string? previous = null;
            long sparseBytes = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                TarEntry? entry;
                try
                {
                    entry = reader.Next();
                }
                catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or ArgumentException or OverflowException or NotSupportedException or InvalidOperationException or TarHeaderTooLargeException)
                {
                    throw new InvalidImageException($"{where}: corrupt tar header {(previous is null ? "at the first entry" : $"after entry '{previous}'")} ({ex.Message})", ex);
                }
                if (entry is null)
                {
                    break;
                }
                ordinal++;
                var name = SparseFiles.NameOf(entry);
                previous = name;
                if (headers.LastPaxSparseError is { } sparseError)
                {
                    throw new InvalidImageException($"{where}, entry '{name}': GNU sparse 0.0 map unusable: {sparseError}");
                }
                if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
                {
                    continue;
                }
                var path = PathNormalizer.Normalize(name)
                    ?? throw new InvalidImageException($"{where}, entry '{name}': path escapes the image root");
                if (path.Length == 0)
                {
                    continue;
                }
                var data = entry.DataStream;
                if (SparseFiles.IsSparse(entry, headers.LastSparse))
                {
                    // As the analysis: holes count against the layer's uncompressed limit (a hostile map could claim petabytes).
                    var at = $"{where}, entry '{name}'";
                    var (realSize, map) = SparseFiles.ReadMap(entry, headers.LastSparse, limits.MaxLayerUncompressedBytes - sparseBytes, at);
                    sparseBytes += realSize;
                    budget.ChargeSparse(realSize, where);
                    data = new ExpandedSparseStream(entry.DataStream ?? Stream.Null, map, realSize, at);
                }
                visit(new SourceEntry(ordinal, path, entry, data));
            }
        }
        blob.Complete();
    }
}
