using System.IO.Compression;
using System.Text.Json;

namespace LayerLens.Web.Analyses;

/// <summary>The parts of a stored JSON report (schema v1) the analysis page shows; read from the gzip file on demand.</summary>
public sealed record StoredReport(ReportImage Image, IReadOnlyList<ReportLayer> Layers, IReadOnlyList<ReportWaste> Waste)
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <summary>Bytes a layer made dead: what it overwrote, changed only the metadata of, or deleted.</summary>
    public long DeadBytesCausedBy(int layerIndex) =>
        Waste.Where(w => w.CauseLayerIndex == layerIndex && w.Kind is "overwritten" or "metadataOnly" or "deleted").Sum(w => w.Bytes);

    public static async Task<StoredReport?> LoadAsync(string file, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(file))
        {
            return null;
        }
        await using var stream = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
        return await JsonSerializer.DeserializeAsync<StoredReport>(stream, Options, cancellationToken);
    }
}

public sealed record ReportImage(string Reference, string? Digest, string? Platform, long CompressedSizeBytes, long SizeBytes, long FinalBytes, int FileCount, ReportConfig? Config);

public sealed record ReportConfig(
    IReadOnlyList<string>? Env,
    IReadOnlyList<string>? Entrypoint,
    IReadOnlyList<string>? Cmd,
    string? WorkingDir,
    string? User,
    IReadOnlyList<string>? ExposedPorts,
    IReadOnlyDictionary<string, string>? Labels);

public sealed record ReportLayer(int Index, string? Digest, long CompressedSizeBytes, long SizeBytes, string? CreatedBy, int Added, int Modified, int Removed);

public sealed record ReportWaste(string Kind, string Path, long Bytes, int LayerIndex, int CauseLayerIndex, int Files, string? OriginalPath);
