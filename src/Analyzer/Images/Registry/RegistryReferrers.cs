using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LayerLens.Analyzer.Images.Registry;

/// <summary>A manifest that names another as its subject (a signature, an SBOM, an attestation).</summary>
public sealed record Referrer(string MediaType, string Digest, long Size, string? ArtifactType, IReadOnlyDictionary<string, string> Annotations);

/// <summary>
/// OCI 1.1 referrers: <c>GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>, and where a registry has no such
/// endpoint (Debian's docker-registry 2.8) the referrers tag schema: an image index tagged
/// <c>sha256-&lt;hex&gt;</c> listing the referrers, kept up to date by the client that pushes one. Two clients
/// updating the same fallback tag at once can lose one entry (the schema has no lock); the registry never lies
/// about what it stores, every manifest read is digest-checked.
/// </summary>
public static class RegistryReferrers
{
    private const int MaxIndexBytes = 4 << 20;

    /// <summary>The referrers tag of a subject: <c>sha256-&lt;hex&gt;</c>.</summary>
    public static string FallbackTag(string subjectDigest) => subjectDigest.Replace(':', '-');

    /// <summary>Lists the manifests whose subject is <paramref name="subjectDigest"/>: the API's answer, or the fallback tag's index, or none.</summary>
    public static async Task<IReadOnlyList<Referrer>> ListAsync(RegistryPusher registry, string subjectDigest, CancellationToken ct)
    {
        if (!Blobs.Digests.TryParseSha256(subjectDigest, out _))
        {
            throw new RegistryException($"{registry.Target}: '{subjectDigest}' is not a sha256 digest");
        }
        var client = registry.Client;
        using (var response = await client.SendAsync(new RegistryRequest(HttpMethod.Get, new Uri(client.BaseUri, "referrers/" + subjectDigest))
        {
            Accept = [MediaTypes.OciIndex],
            Answers = [HttpStatusCode.NotFound],
        }, ct))
        {
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                var body = await client.ReadCappedAsync(response, MaxIndexBytes, $"referrers of {subjectDigest}", ct);
                return Parse(body, $"{registry.Target.Host}/{registry.Target.Repository}: referrers of {subjectDigest}");
            }
        }
        var tag = FallbackTag(subjectDigest);
        if (!await registry.ManifestExistsAsync(tag, ct))
        {
            return [];
        }
        var (index, _, _) = await registry.GetManifestAsync(tag, MaxIndexBytes, ct);
        return Parse(index, $"{registry.Target.Host}/{registry.Target.Repository}:{tag}");
    }

    /// <summary>
    /// Pushes a manifest that has a <c>subject</c> (by its digest); when the registry does not say it indexed the
    /// subject (no <c>OCI-Subject</c> header), adds it to the subject's fallback tag index.
    /// </summary>
    public static async Task<ManifestPush> PushAsync(RegistryPusher registry, string mediaType, byte[] manifest, CancellationToken ct)
    {
        var what = $"{registry.Target.Host}/{registry.Target.Repository}: referrer";
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(manifest);
        }
        catch (JsonException ex)
        {
            throw new RegistryException($"{what}: the manifest is not JSON ({ex.Message})", ex);
        }
        var subject = node?["subject"]?["digest"]?.GetValue<string>() ?? throw new RegistryException($"{what}: the manifest has no subject");
        var digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(manifest));
        var pushed = await registry.PutManifestAsync(digest, mediaType, manifest, ct);
        if (pushed.SubjectIndexed)
        {
            return pushed;
        }
        var tag = FallbackTag(subject);
        JsonObject index;
        if (await registry.ManifestExistsAsync(tag, ct))
        {
            var (bytes, _, _) = await registry.GetManifestAsync(tag, MaxIndexBytes, ct);
            index = JsonNode.Parse(bytes) as JsonObject ?? throw new RegistryException($"{what}: {tag} is not an image index");
        }
        else
        {
            index = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciIndex, ["manifests"] = new JsonArray() };
        }
        var manifests = index["manifests"] as JsonArray ?? throw new RegistryException($"{what}: {tag} has no manifests list");
        if (!manifests.Any(m => m?["digest"]?.GetValue<string>() == digest))
        {
            var entry = new JsonObject { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = manifest.Length };
            var artifactType = node["artifactType"]?.GetValue<string>() ?? node["config"]?["mediaType"]?.GetValue<string>();
            if (artifactType is not null)
            {
                entry["artifactType"] = artifactType;
            }
            if (node["annotations"] is JsonObject annotations)
            {
                entry["annotations"] = annotations.DeepClone();
            }
            manifests.Add(entry);
            await registry.PutManifestAsync(tag, MediaTypes.OciIndex, Encoding.UTF8.GetBytes(index.ToJsonString()), ct);
        }
        return pushed;
    }

    private static List<Referrer> Parse(byte[] body, string what)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (!doc.RootElement.TryGetProperty("manifests", out var manifests) || manifests.ValueKind != JsonValueKind.Array)
            {
                throw new RegistryException($"{what}: not an image index");
            }
            var result = new List<Referrer>();
            foreach (var m in manifests.EnumerateArray())
            {
                var digest = Text(m, "digest");
                if (digest is null || !Blobs.Digests.TryParseSha256(digest, out _))
                {
                    throw new RegistryException($"{what}: an entry has no sha256 digest");
                }
                var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
                if (m.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object)
                {
                    foreach (var p in a.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
                    {
                        annotations[p.Name] = p.Value.GetString()!;
                    }
                }
                var size = m.TryGetProperty("size", out var s) && s.TryGetInt64(out var n) ? n : -1;
                result.Add(new Referrer(Text(m, "mediaType") ?? "", digest, size, Text(m, "artifactType"), annotations));
            }
            return result;
        }
        catch (JsonException ex)
        {
            throw new RegistryException($"{what}: not JSON ({ex.Message})", ex);
        }
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
