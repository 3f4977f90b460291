using System.IO.Compression;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LayerLens.Analyzer.Reports.Schema;

/// <summary>
/// Reads and writes schema v1 with source-generated metadata. Image reports escape as the first writer did
/// (the default encoder, no trailing newline); Dockerfile reports keep non-ASCII and HTML characters as they are
/// and end with a newline. Changing either changes every stored report's bytes. The options repeat the context's
/// camelCase policy: a source-generated resolver names properties by the options it serves, not by its attribute.
/// </summary>
public static class ReportJson
{
    private static readonly JsonSerializerOptions Image = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        TypeInfoResolver = ReportJsonContext.Default,
    };

    private static readonly JsonSerializerOptions Relaxed = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        TypeInfoResolver = ReportJsonContext.Default,
    };

    public static void Write(ImageReport report, Stream output) => JsonSerializer.Serialize(output, report, Image);

    public static string Write(ReviewReport report) => JsonSerializer.Serialize(report, Relaxed) + "\n";

    public static string Write(OptimizeReportJson report) => JsonSerializer.Serialize(report, Relaxed) + "\n";

    /// <summary>A delta report, escaped as Dockerfile reports are (findings and paths keep their characters).</summary>
    public static string Write(DeltaReport report) => JsonSerializer.Serialize(report, Relaxed) + "\n";

    public static DeltaReport ParseDelta(string json) =>
        JsonSerializer.Deserialize<DeltaReport>(json, Relaxed) ?? throw new JsonException("the delta report is empty (null)");

    public static ReviewReport ParseReview(string json) =>
        JsonSerializer.Deserialize<ReviewReport>(json, Relaxed) ?? throw new JsonException("the review report is empty (null)");

    public static ImageReport ParseImage(string json) =>
        JsonSerializer.Deserialize<ImageReport>(json, Image) ?? throw new JsonException("the image report is empty (null)");

    /// <summary>A stored (gzip) image report, or null when there is none.</summary>
    public static Task<ImageReport?> LoadImageAsync(string gzipFile, CancellationToken cancellationToken = default) =>
        LoadAsync<ImageReport>(gzipFile, Image, cancellationToken);

    /// <summary>A stored (gzip) review report, or null when there is none.</summary>
    public static Task<ReviewReport?> LoadReviewAsync(string gzipFile, CancellationToken cancellationToken = default) =>
        LoadAsync<ReviewReport>(gzipFile, Relaxed, cancellationToken);

    private static async Task<T?> LoadAsync<T>(string file, JsonSerializerOptions options, CancellationToken cancellationToken)
        where T : class
    {
        if (!File.Exists(file))
        {
            return null;
        }
        await using var stream = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
        return await JsonSerializer.DeserializeAsync<T>(stream, options, cancellationToken);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ImageReport))]
[JsonSerializable(typeof(ReviewReport))]
[JsonSerializable(typeof(OptimizeReportJson))]
[JsonSerializable(typeof(DeltaReport))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
