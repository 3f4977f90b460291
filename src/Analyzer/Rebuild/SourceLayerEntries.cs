using System.Formats.Tar;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Layers;

namespace LayerLens.Analyzer.Rebuild;

/// <summary>One tar entry of a source layer: its position in the tar, its normalised path and the entry (data readable until the next).</summary>
internal readonly record struct SourceEntry(int Ordinal, string Path, TarEntry Entry);

/// <summary>
/// Streams the entries of one source layer blob (decompressed, digests verified at the end) through the same
/// tar plumbing the analysis uses. GNU sparse entries are refused: the rebuild would have to expand them.
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
                previous = entry.Name;
                if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
                {
                    continue;
                }
                if (SparseFiles.IsSparse(entry, headers.LastSparse))
                {
                    throw new InvalidImageException($"{where}, entry '{SparseFiles.NameOf(entry)}': GNU sparse entries cannot be rebuilt yet (the analysis reads them; the rebuild would have to expand them)");
                }
                var path = PathNormalizer.Normalize(entry.Name)
                    ?? throw new InvalidImageException($"{where}, entry '{entry.Name}': path escapes the image root");
                if (path.Length == 0)
                {
                    continue;
                }
                visit(new SourceEntry(ordinal, path, entry));
            }
        }
        blob.Complete();
    }
}
