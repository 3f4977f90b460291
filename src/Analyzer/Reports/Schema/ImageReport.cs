using System.Text.Json.Serialization;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.Reports.Schema;

/// <summary>
/// Report schema v1 of an image (the field names of docs, never renamed): what <c>analyze --format json</c> writes
/// and what the web's analysis page reads back. Property order here is the order in the file.
/// </summary>
public sealed record ImageReport(
    int SchemaVersion,
    ReportImage Image,
    IReadOnlyList<ReportLayer> Layers,
    ReportEfficiency Efficiency,
    IReadOnlyList<ReportWaste> Waste,
    IReadOnlyList<string> Findings,
    ReportVerdict Verdict)
{
    public const int Version = 1;

    /// <summary>Bytes a layer made dead: what it overwrote, changed only the metadata of, or deleted.</summary>
    public long DeadBytesCausedBy(int layerIndex) =>
        Waste.Where(w => w.CauseLayerIndex == layerIndex && w.Kind is WasteKind.Overwritten or WasteKind.MetadataOnly or WasteKind.Deleted).Sum(w => w.Bytes);

    /// <summary>The report of an analysis and its CI verdict; images have no findings in schema v1.</summary>
    public static ImageReport From(ImageAnalysis a, Verdict verdict) => new(
        Version,
        new ReportImage(a.Reference, a.Digest, a.Platform, a.CompressedSizeBytes, a.SizeBytes, a.FinalBytes, a.FileCount, ReportConfig.From(a.Config)),
        [.. a.Layers.Select(l => new ReportLayer(l.Index, l.Digest, l.DiffId, l.CompressedSizeBytes, l.SizeBytes, l.CreatedBy, l.Added, l.Modified, l.Removed))],
        new ReportEfficiency(a.Efficiency, a.WastedBytes, a.DuplicateBytes),
        [.. a.Waste.Select(w => new ReportWaste(w.Kind, w.Path, w.Bytes, w.LayerIndex, w.CauseLayerIndex, w.Files, w.OriginalPath))],
        [],
        new ReportVerdict(verdict.Passed, [.. verdict.Failures.Select(f => new ReportFailure(f.Rule, f.Message, f.Actual, f.Threshold))]));
}

public sealed record ReportImage(
    string Reference, string? Digest, string? Platform, long CompressedSizeBytes, long SizeBytes, long FinalBytes, int FileCount, ReportConfig? Config);

/// <summary>The image configuration; labels in ordinal key order so reports of the same image are identical.</summary>
public sealed record ReportConfig(
    IReadOnlyList<string>? Env,
    IReadOnlyList<string>? Entrypoint,
    IReadOnlyList<string>? Cmd,
    string? WorkingDir,
    string? User,
    IReadOnlyList<string>? ExposedPorts,
    IReadOnlyDictionary<string, string>? Labels)
{
    public static ReportConfig From(ImageConfigSummary c) => new(
        c.Env, c.Entrypoint, c.Cmd, c.WorkingDir, c.User, c.ExposedPorts, new SortedDictionary<string, string>(c.Labels.ToDictionary(), StringComparer.Ordinal));
}

public sealed record ReportLayer(
    int Index, string? Digest, string? DiffId, long CompressedSizeBytes, long SizeBytes, string? CreatedBy, int Added, int Modified, int Removed);

public sealed record ReportEfficiency(double Score, long WastedBytes, long DuplicateBytes);

public sealed record ReportWaste(
    [property: JsonConverter(typeof(WasteKindJsonConverter))] WasteKind Kind,
    string Path,
    long Bytes,
    int LayerIndex,
    int CauseLayerIndex,
    int Files,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? OriginalPath);

public sealed record ReportVerdict(bool Passed, IReadOnlyList<ReportFailure> Failures);

public sealed record ReportFailure(string Rule, string Message, string Actual, string Threshold);
