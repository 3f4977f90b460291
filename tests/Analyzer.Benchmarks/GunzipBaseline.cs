using System.Buffers;
using System.IO.Compression;

namespace LayerLens.Analyzer.Benchmarks;

/// <summary>
/// The floor for reading an image: decompress every gzip layer in parallel and throw the bytes away.
/// `layerlens analyze` is measured against this.
/// </summary>
internal static class GunzipBaseline
{
    public static async Task<int> RunAsync(string layout)
    {
        var layers = OciLayout.LayerBlobPaths(layout);
        long total = 0;
        await Parallel.ForEachAsync(
            layers.OrderByDescending(path => new FileInfo(path).Length),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            async (path, cancellationToken) =>
            {
                var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
                try
                {
                    await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                    await using var gzip = new GZipStream(file, CompressionMode.Decompress);
                    long bytes = 0;
                    int read;
                    while ((read = await gzip.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        bytes += read;
                    }

                    Interlocked.Add(ref total, bytes);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            });
        Console.WriteLine($"{layers.Count} layers, {total} bytes uncompressed");
        return 0;
    }
}
