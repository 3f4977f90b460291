using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Benchmarks;

/// <summary>
/// Inflates one compressed file through the engine's decoder choice and discards the bytes:
/// ISA-L when libisal.so.2 loads, GZipStream under LAYERLENS_INFLATE=zlib; for zstd libzstd.so.1, ZstdSharp under
/// LAYERLENS_ZSTD=managed (infra/bench/inflate-bench.sh runs both of either).
/// </summary>
public static class InflateFile
{
    public static int Run(string path)
    {
        using var file = File.OpenRead(path);
        using var decoded = Compression.OpenDecoded(file, out var kind);
        var buffer = new byte[1 << 20];
        long total = 0;
        int n;
        while ((n = decoded.Read(buffer)) > 0)
        {
            total += n;
        }
        Console.WriteLine($"{kind} via {decoded.GetType().Name}: {total} bytes");
        return 0;
    }
}
