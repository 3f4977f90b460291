using System.Globalization;
using LayerLens.Analyzer.Optimisation.CostModel;
using LayerLens.Data.Blobs;
using LayerLens.Web.Analyses;
using LayerLens.Web.Baselines;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

using LayerLens.Web.Verdicts;

namespace LayerLens.Web.Api;

/// <summary>
/// Reads a <c>multipart/form-data</c> Dockerfile review section by section: the Dockerfile into memory (it is
/// bounded), the context and build log straight into the blob store, never buffering them. With an 'image' part
/// (a tarball, streamed into the blob store too) it is an image analysis instead, and the optional 'dockerfile'
/// is the text the image was built from, used to put SARIF results on the causing instruction's line.
/// </summary>
public static class DockerfileMultipart
{
    public const int MaxDockerfileBytes = 1024 * 1024;
    private const int MaxFieldBytes = 4096;
    private static readonly string[] Parts = ["dockerfile", "context", "buildlog", "history", "name", "project", "measure", "runs", "ciconfig", "dockerfilePath", "image", "archiveImage", "archiveKind", "branch", "commit", "baselineBranch", "baseline"];

    public static async Task<DockerfileSubmission> ReadAsync(HttpRequest request, LayerLens.Web.Storage.IArtifactStore store, Guid workspaceId, long maxUploadBytes, string? name, string? project, CancellationToken ct)
    {
        var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(request.ContentType).Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary))
        {
            throw new IntakeException("the multipart body has no boundary in its Content-Type");
        }
        var reader = new MultipartReader(boundary, request.Body);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        byte[]? dockerfile = null;
        string? fileName = null, image = null, archiveImage = null, archiveKind = null, context = null, buildLog = null, history = null, measure = null, runs = null, ciConfig = null, dockerfilePath = null;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        MultipartSection? section;
        try
        {
            section = await reader.ReadNextSectionAsync(ct);
        }
        catch (IOException ex)
        {
            throw new IntakeException($"the multipart body is malformed: {ex.Message}");
        }
        while (section is not null)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
            {
                throw new IntakeException("every multipart part needs Content-Disposition: form-data; name=\"…\"");
            }
            var part = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
            if (!Parts.Contains(part))
            {
                throw new IntakeException($"unknown part '{part}'; send 'dockerfile' (required), 'context' (tar, tar.gz or zip), 'buildlog', 'history' (git log --name-only text), 'name', 'project', 'measure', 'runs', 'ciconfig', 'dockerfilePath', or 'image' (a tarball) with an optional 'dockerfile', 'archiveImage' and 'archiveKind'; 'branch', 'commit', 'baselineBranch' and 'baseline' go with either");
            }
            if (!seen.Add(part))
            {
                throw new IntakeException($"the part '{part}' appears twice");
            }
            switch (part)
            {
                case "dockerfile":
                    dockerfile = await ReadBoundedAsync(section.Body, MaxDockerfileBytes, "dockerfile", ct);
                    var given = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    fileName = string.IsNullOrWhiteSpace(given) ? null : Path.GetFileName(given.Replace('\\', '/'));
                    break;
                case "image":
                    image = (await store.PutBlobAsync(workspaceId, section.Body, maxUploadBytes, ct)).Digest;
                    break;
                case "context":
                    context = (await store.PutBlobAsync(workspaceId, section.Body, maxUploadBytes, ct)).Digest;
                    break;
                case "buildlog":
                    buildLog = (await store.PutBlobAsync(workspaceId, section.Body, BuildLogDurations.MaxLogBytes, ct)).Digest;
                    break;
                case "history":
                    history = (await store.PutBlobAsync(workspaceId, section.Body, ChangeHistory.MaxBytes, ct)).Digest;
                    break;
                case "ciconfig":
                    ciConfig = System.Text.Encoding.UTF8.GetString(await ReadBoundedAsync(section.Body, ServicePolicy.MaxBytes, part, ct));
                    break;
                default:
                    var text = System.Text.Encoding.UTF8.GetString(await ReadBoundedAsync(section.Body, MaxFieldBytes, part, ct)).Trim();
                    if (part == "name" && text.Length > 0)
                    {
                        name = text;
                    }
                    else if (part == "project" && text.Length > 0)
                    {
                        project = text;
                    }
                    else if (part == "measure")
                    {
                        measure = text;
                    }
                    else if (part == "dockerfilePath" && text.Length > 0)
                    {
                        dockerfilePath = text;
                    }
                    else if (part == "runs")
                    {
                        runs = text;
                    }
                    else if (part == "archiveImage" && text.Length > 0)
                    {
                        archiveImage = text;
                    }
                    else if (part == "archiveKind" && text.Length > 0)
                    {
                        archiveKind = text;
                    }
                    else if (text.Length > 0)
                    {
                        fields[part] = text; // branch, commit, baselineBranch, baseline
                    }
                    break;
            }
            section = await reader.ReadNextSectionAsync(ct);
        }
        // Parts win over the query string, as for the other fields.
        var versionControl = new BaselineRequest(fields.GetValueOrDefault("branch"), fields.GetValueOrDefault("commit"), fields.GetValueOrDefault("baselineBranch"), fields.GetValueOrDefault("baseline"))
            .Or(BaselineRequest.FromQuery(request.Query));
        if (image is not null)
        {
            return ImageSubmission(image, dockerfile, context ?? buildLog ?? history ?? measure ?? runs, name, project, new CiRequest(dockerfilePath ?? request.Query["dockerfilePath"], ciConfig) { VersionControl = versionControl }) with
            {
                ArchiveImage = archiveImage ?? request.Query["archiveImage"],
                ArchiveKind = archiveKind ?? request.Query["archiveKind"],
            };
        }
        if (archiveImage is not null || archiveKind is not null)
        {
            throw new IntakeException("'archiveImage' and 'archiveKind' describe an 'image' upload; this body has no 'image' part");
        }
        if (dockerfile is null)
        {
            throw new IntakeException("the multipart body has no 'dockerfile' part; send the Dockerfile as a part named 'dockerfile'");
        }
        return new DockerfileSubmission(dockerfile, fileName, context, buildLog, name, project, ParseFlag(measure ?? request.Query["measure"]), ParseRuns(runs ?? request.Query["runs"]))
        {
            Ci = new CiRequest(dockerfilePath ?? request.Query["dockerfilePath"], ciConfig) { VersionControl = versionControl },
            ChangeHistoryDigest = history,
        };
    }

    /// <summary>An image upload: a build context, build log or measurement belongs to a Dockerfile review only.</summary>
    private static DockerfileSubmission ImageSubmission(string image, byte[]? dockerfile, string? reviewOnly, string? name, string? project, CiRequest ci)
    {
        if (reviewOnly is not null)
        {
            throw new IntakeException("'context', 'buildlog', 'history', 'measure' and 'runs' belong to a Dockerfile review, not to an 'image' upload");
        }
        var text = dockerfile is null ? null : System.Text.Encoding.UTF8.GetString(dockerfile);
        return new DockerfileSubmission([], null, null, null, name, project, false, null)
        {
            ImageUploadDigest = image,
            Ci = ci with { DockerfileText = text },
        };
    }

    private static async Task<byte[]> ReadBoundedAsync(Stream body, int max, string part, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > max)
            {
                throw new IntakeException($"the part '{part}' is larger than {max:N0} bytes");
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static bool ParseFlag(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "false" or "0" or "off" or "no" => false,
        "true" or "1" or "on" or "yes" => true,
        _ => throw new IntakeException($"'measure' must be true or false, not '{value}'"),
    };

    private static int? ParseRuns(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var runs)
            ? runs
            : throw new IntakeException($"'runs' must be a whole number, not '{value}'");
    }
}
