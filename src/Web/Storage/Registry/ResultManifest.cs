using System.Text.Json;
using System.Text.Json.Nodes;
using LayerLens.Analyzer.Images;

namespace LayerLens.Web.Storage.Registry;

/// <summary>
/// One run's results as an OCI artifact manifest: <c>artifactType</c> <see cref="ArtifactType"/>, the empty config,
/// one layer per file (its name in <c>org.opencontainers.image.title</c>), annotations naming the workspace,
/// analysis, run and the analysed image's digest, so other tools (oras, skopeo, crane) can find and fetch them.
/// </summary>
internal static class ResultManifest
{
    public const string ArtifactType = "application/vnd.layerlens.result.v1";
    public const string TitleAnnotation = "org.opencontainers.image.title";
    public const int MaxBytes = 1 << 20;
    private const string EmptyJson = "application/vnd.oci.empty.v1+json";

    public sealed record File(string Name, string Digest, long Size);

    /// <summary>The tag a run's artifact has: analysis and run ids, so the web node finds it from the row alone.</summary>
    public static string Tag(Guid analysisId, Guid runId) => $"{analysisId:N}-{runId:N}";

    public static string TagPrefix(Guid analysisId) => $"{analysisId:N}-";

    public static byte[] Build(RunKey run, IReadOnlyList<File> files, string emptyDigest, string? subjectDigest)
    {
        var annotations = new JsonObject
        {
            ["io.layerlens.workspace"] = run.WorkspaceId.ToString(),
            ["io.layerlens.analysis"] = run.AnalysisId.ToString(),
            ["io.layerlens.run"] = run.RunId.ToString(),
            ["org.opencontainers.image.created"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (subjectDigest is not null)
        {
            annotations["io.layerlens.image.digest"] = subjectDigest;
        }
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["artifactType"] = ArtifactType,
            ["config"] = new JsonObject { ["mediaType"] = EmptyJson, ["digest"] = emptyDigest, ["size"] = 2 },
            ["layers"] = new JsonArray([.. files.Select(f => (JsonNode)new JsonObject
            {
                ["mediaType"] = MediaTypeOf(f.Name),
                ["digest"] = f.Digest,
                ["size"] = f.Size,
                ["annotations"] = new JsonObject { [TitleAnnotation] = f.Name },
            })]),
            ["annotations"] = annotations,
        };
        return JsonSerializer.SerializeToUtf8Bytes(manifest);
    }

    /// <summary>The files a stored manifest lists; a manifest of another kind or shape is refused.</summary>
    public static IReadOnlyList<File> Parse(byte[] body, string what)
    {
        try
        {
            var node = JsonNode.Parse(body) as JsonObject ?? throw new InvalidDataException("not an object");
            if (node["artifactType"]?.GetValue<string>() != ArtifactType)
            {
                throw new InvalidDataException($"artifactType is not {ArtifactType}");
            }
            var files = new List<File>();
            foreach (var layer in node["layers"] as JsonArray ?? [])
            {
                var name = layer?["annotations"]?[TitleAnnotation]?.GetValue<string>();
                var digest = layer?["digest"]?.GetValue<string>();
                var size = layer?["size"]?.GetValue<long>() ?? -1;
                if (name is null || digest is null || size < 0 || !LayerLens.Analyzer.Blobs.Digests.TryParseSha256(digest, out _))
                {
                    throw new InvalidDataException("a layer lacks its title, digest or size");
                }
                files.Add(new File(ResultFileNames.Check(name), digest, size));
            }
            return files;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"{what}: not a LayerLens result manifest ({ex.Message})", ex);
        }
    }

    private static string MediaTypeOf(string name) => name switch
    {
        DataLayout.TreeFile => "application/vnd.layerlens.tree.v1",
        _ when name.StartsWith("delta.", StringComparison.Ordinal) => "application/vnd.layerlens.delta-report.v1+gzip",
        _ when name.EndsWith(".gz", StringComparison.Ordinal) => "application/vnd.layerlens.report.v1+gzip",
        _ => "application/octet-stream",
    };
}
