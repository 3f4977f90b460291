using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images.Registry;
using LayerLens.Data;
using LayerLens.Data.Blobs;
using LayerLens.Data.Model;
using LayerLens.Web.Analyses;
using LayerLens.Web.Baselines;
using LayerLens.Web.Configuration;
using LayerLens.Web.Jobs;
using LayerLens.Web.Limits;
using LayerLens.Web.Tenancy;
using LayerLens.Web.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Api;

/// <summary>API v1: <c>/api/v1/analyses</c>. Errors are RFC 7807 problem details.</summary>
public static class AnalysesEndpoints
{
    private static readonly string[] ReportFormats = ["json", "sarif", "markdown", "junit"];
    private const long MaxJsonBytes = 64 * 1024 + 6L * DockerfileMultipart.MaxDockerfileBytes;

    public static IEndpointRouteBuilder MapAnalysesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/analyses").WithTags("Analyses").DisableAntiforgery();
        api.MapPost("", CreateAsync).RequireAuthorization(ApiScopes.AnalysesWrite)
            .WithSummary("Start an analysis: an image tarball (application/x-tar body, ?name=, ?project=, ?archiveImage= naming the image inside an archive of several (NAME or @INDEX, an OCI tag), ?archiveKind=docker|oci reading it as docker-archive or oci-archive (default: detected); or multipart/form-data 'image' with the optional 'dockerfile' it was built from, for SARIF lines, 'archiveImage' and 'archiveKind'), JSON {\"image\", \"platform\", \"dockerfile\"} for a registry pull, or multipart/form-data with 'dockerfile', optional 'context' (tar, tar.gz, zip), 'buildlog', 'history' (git log --name-only text weighting how often context paths change), 'measure', 'runs' for a Dockerfile review")
            .Produces<AnalysisAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        api.MapGet("", ListAsync).RequireAuthorization(ApiScopes.AnalysesRead).WithSummary("Analyses, newest first, paged; filters project, reference (exact) and repository (any tag or digest)");
        api.MapGet("{id:guid}", GetAsync).RequireAuthorization(ApiScopes.AnalysesRead).WithSummary("Status, progress and summary").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("{id:guid}/report", ReportAsync).RequireAuthorization(ApiScopes.AnalysesRead)
            .WithSummary("The report: json (schema v1), sarif, markdown or junit; ?delta=true: the comparison with the baseline its run made, in the same formats")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("{id:guid}/compare", CompareAsync).RequireAuthorization(ApiScopes.AnalysesRead)
            .WithSummary("The delta against a baseline (JSON schema v1 'baseline' block): ?baseline= an analysis id or a branch; default the baseline its run used, else its request's")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("{id:guid}/cancel", CancelAsync).RequireAuthorization(ApiScopes.AnalysesWrite).WithSummary("Cancel a queued or running analysis");
        api.MapPost("{id:guid}/retry", RetryAsync).RequireAuthorization(ApiScopes.AnalysesWrite).WithSummary("Queue a failed or cancelled analysis again");
        api.MapDelete("{id:guid}", DeleteAsync).RequireAuthorization(ApiScopes.AnalysesWrite).WithSummary("Delete an analysis and its results");
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpContext http, AnalysisIntake intake, IArtifactStore store, WorkspaceAccess access, WorkspaceQuotas quotas, string? name, string? project, CancellationToken ct)
    {
        var contentType = http.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        var maxUpload = await quotas.UploadLimitAsync(ct);
        long? storageLeft = null;
        try
        {
            await quotas.EnsureCanStartAsync(ct);
            // An upload may fill the workspace's storage quota, not pass it.
            storageLeft = await quotas.StorageRemainingAsync(ct);
            maxUpload = Math.Min(maxUpload, storageLeft.Value);
            switch (contentType)
            {
                case "application/x-tar" or "application/octet-stream":
                    return Accepted(await UploadAsync(http, intake, maxUpload, name, project, ct));
                case "multipart/form-data":
                    LiftBodyLimit(http, maxUpload);
                    var submission = await DockerfileMultipart.ReadAsync(http.Request, store, await access.RequireAsync(ApiScopes.AnalysesWrite, ct), maxUpload, name, project, ct);
                    return Accepted(submission.ImageUploadDigest is { } image
                        ? await intake.FromStoredUploadAsync(image, submission.Name, submission.Project, submission.Ci, ct, submission.ArchiveImage, submission.ArchiveKind)
                        : await intake.FromDockerfileAsync(submission, ct));
                case "application/json":
                    var request = await ReadJsonAsync(http, ct);
                    var analysis = await intake.FromRegistryAsync(
                        new RegistryAnalysis(request.Image, request.Platform, request.Name ?? name, request.Project ?? project, request.Credentials?.Username, request.Credentials?.Password),
                        ct,
                        new CiRequest(request.DockerfilePath ?? http.Request.Query["dockerfilePath"], request.CiConfig ?? HeaderCiConfig(http), request.Dockerfile)
                        {
                            VersionControl = new BaselineRequest(request.Branch, request.Commit, request.BaselineBranch, request.Baseline).Or(BaselineRequest.FromQuery(http.Request.Query)),
                        });
                    return Accepted(analysis);
                default:
                    return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                        $"send an image tarball as application/x-tar, application/json {{\"image\": \"host/repo:tag\", \"platform\": \"linux/amd64\"}}, or multipart/form-data with a 'dockerfile' part; got '{contentType ?? "none"}'");
            }
        }
        catch (LayerLens.Web.Reviews.MeasurementForbiddenException ex)
        {
            return Problem(StatusCodes.Status403Forbidden, "Measuring not allowed", ex.Message);
        }
        catch (BaselineNotFoundException ex)
        {
            return Problem(StatusCodes.Status404NotFound, "Baseline not found", ex.Message);
        }
        catch (IntakeException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid analysis request", ex.Message);
        }
        catch (BlobTooLargeException ex) when (ex.MaxBytes == storageLeft)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Storage quota used up",
                $"the upload is larger than the {storageLeft:N0} bytes left of this workspace's storage quota (LayerLens:Quotas:MaxStorageBytesPerWorkspace or the workspace's own); delete analyses to free space");
        }
        catch (BlobTooLargeException ex)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Upload too large", ex.Message);
        }
        catch (StorageQuotaExceededException ex)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Storage quota used up", ex.Message);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Upload too large", $"the upload is larger than the limit of {maxUpload:N0} bytes (LayerLens:MaxUploadBytes or the workspace's quota)");
        }
        catch (QuotaExceededException ex)
        {
            http.Response.Headers.RetryAfter = "30";
            return Problem(StatusCodes.Status429TooManyRequests, "Quota used up", ex.Message);
        }
    }

    private static async Task<Analysis> UploadAsync(HttpContext http, AnalysisIntake intake, long maxUpload, string? name, string? project, CancellationToken ct)
    {
        LiftBodyLimit(http, maxUpload);
        return await intake.FromUploadAsync(http.Request.Body, maxUpload, name, project, new CiRequest(http.Request.Query["dockerfilePath"], HeaderCiConfig(http)) { VersionControl = BaselineRequest.FromQuery(http.Request.Query) }, ct, http.Request.Query["archiveImage"], http.Request.Query["archiveKind"]);
    }

    /// <summary>A tarball body leaves no room for the CI configuration: it comes base64-encoded in <c>X-LayerLens-CI-Config</c>.</summary>
    private static string? HeaderCiConfig(HttpContext http)
    {
        var header = http.Request.Headers["X-LayerLens-CI-Config"].ToString();
        if (header.Length == 0)
        {
            return null;
        }
        try
        {
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header));
        }
        catch (FormatException)
        {
            throw new IntakeException("the X-LayerLens-CI-Config header is not base64 (send the .dive-ci or layerlens.yaml content base64-encoded)");
        }
    }

    /// <summary>Kestrel's own limit becomes the configured one (+1 so our message, not Kestrel's, names it).</summary>
    private static void LiftBodyLimit(HttpContext http, long maxUpload)
    {
        if (http.Request.ContentLength > maxUpload)
        {
            throw new BlobTooLargeException(maxUpload);
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxUpload + 1;
        }
    }

    private static async Task<RegistryAnalysisRequest> ReadJsonAsync(HttpContext http, CancellationToken ct)
    {
        // Room for a Dockerfile's text (≤ 1 MiB, up to 6 characters per byte once JSON-escaped) besides the reference.
        if (http.Request.ContentLength > MaxJsonBytes)
        {
            throw new IntakeException($"the JSON body is larger than {MaxJsonBytes:N0} bytes");
        }
        try
        {
            return await http.Request.ReadFromJsonAsync<RegistryAnalysisRequest>(ct)
                ?? throw new IntakeException("the JSON body is empty; send {\"image\": \"host/repo:tag\"}");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new IntakeException($"the JSON body is malformed: {ex.Message}");
        }
    }

    private static async Task<IResult> ListAsync(IDbContextFactory<AppDbContext> dbFactory, string? project, string? reference, string? repository, int? page, int? pageSize, CancellationToken ct)
    {
        var size = Math.Clamp(pageSize ?? 50, 1, 200);
        var number = Math.Max(1, page ?? 1);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Analyses.AsNoTracking().Include(a => a.Project).AsQueryable();
        if (!string.IsNullOrWhiteSpace(project))
        {
            query = query.Where(a => a.Project != null && a.Project.Name == project);
        }
        if (!string.IsNullOrWhiteSpace(reference))
        {
            query = query.Where(a => a.SourceReference == reference);
        }
        if (!string.IsNullOrWhiteSpace(repository))
        {
            ImageRepository parsed;
            try
            {
                parsed = ImageRepository.Parse(repository);
            }
            catch (InvalidImageException ex)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid repository filter",
                    $"'repository' is not an image repository (registry/team/app, team/app, app, optionally with :tag or @digest): {ex.Message}");
            }
            query = query.Where(RepositoryFilter.Matching(parsed));
        }
        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(a => a.CreatedAtUtc).Skip((number - 1) * size).Take(size).ToListAsync(ct);
        return Results.Ok(new AnalysisPage(items.Select(AnalysisResource.From).ToList(), number, size, total));
    }

    private static async Task<IResult> GetAsync(Guid id, IDbContextFactory<AppDbContext> dbFactory, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var analysis = await db.Analyses.AsNoTracking().Include(a => a.Project).SingleOrDefaultAsync(a => a.Id == id, ct);
        return analysis is null ? NotFound(id) : Results.Ok(AnalysisResource.From(analysis));
    }

    private static async Task<IResult> CompareAsync(Guid id, string? baseline, IDbContextFactory<AppDbContext> dbFactory, BaselineComparer comparer, CancellationToken ct)
    {
        string? wanted;
        try
        {
            wanted = BaselineRequest.Name(baseline, "baseline", BaselineRequest.MaxBranchLength);
        }
        catch (IntakeException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid baseline", ex.Message);
        }
        // Workspace-scoped: another workspace's analysis, as the subject or as the baseline, is not found.
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var analysis = await db.Analyses.AsNoTracking().Include(a => a.Project).SingleOrDefaultAsync(a => a.Id == id, ct);
        if (analysis is null)
        {
            return NotFound(id);
        }
        if (Guid.TryParse(wanted, out var baselineId) && !await db.Analyses.AnyAsync(a => a.Id == baselineId, ct))
        {
            return Problem(StatusCodes.Status404NotFound, "Baseline not found", $"there is no analysis {baselineId} to compare with");
        }
        if (analysis.Status != AnalysisStatus.Succeeded)
        {
            return Problem(StatusCodes.Status409Conflict, "No report yet",
                $"analysis {id} is {AnalysisResource.StatusName(analysis.Status)}; it can be compared once it has succeeded");
        }
        if (await comparer.CompareStoredAsync(db, analysis, wanted, ct) is not { } compared)
        {
            // Succeeded, but its report file is gone (retention, or removed by hand): nothing to compare from.
            return Problem(StatusCodes.Status409Conflict, "Report no longer stored",
                $"analysis {id} succeeded, but its report is no longer stored, so it cannot be compared; analyse the image or Dockerfile again");
        }
        return Results.Text(LayerLens.Analyzer.Reports.Schema.ReportJson.Write(compared.Delta), "application/json", System.Text.Encoding.UTF8);
    }

    private static async Task<IResult> ReportAsync(Guid id, string? format, bool? delta, IDbContextFactory<AppDbContext> dbFactory, IArtifactStore store, CancellationToken ct)
    {
        format = (format ?? "json").ToLowerInvariant();
        if (!ReportFormats.Contains(format))
        {
            return Problem(StatusCodes.Status400BadRequest, "Unknown report format", $"format '{format}' is not one of {string.Join(", ", ReportFormats)}");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var analysis = await db.Analyses.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct);
        if (analysis is null)
        {
            return NotFound(id);
        }
        var file = analysis.Status != AnalysisStatus.Succeeded ? null : await store.ResultFileAsync(analysis.WorkspaceId, id, analysis.RunId,
            delta == true ? DataLayout.DeltaReportFileName(format) : DataLayout.ReportFileName(format), ct);
        if (delta == true && analysis.Status == AnalysisStatus.Succeeded && file is null)
        {
            return Problem(StatusCodes.Status404NotFound, "No comparison",
                $"analysis {id} was not compared with a baseline: send 'branch' (or 'baselineBranch' / 'baseline') with the analysis; GET /api/v1/analyses/{id}/compare compares it now");
        }
        if (analysis.Status != AnalysisStatus.Succeeded || file is null)
        {
            return Problem(StatusCodes.Status409Conflict, "No report yet",
                $"analysis {id} is {AnalysisResource.StatusName(analysis.Status)}; a report exists once it has succeeded");
        }
        var (contentType, extension) = format switch
        {
            "json" => ("application/json", "json"),
            "sarif" => ("application/sarif+json", "sarif"),
            "markdown" => ("text/markdown; charset=utf-8", "md"),
            _ => ("application/xml", "junit.xml"),
        };
        var stream = new System.IO.Compression.GZipStream(File.OpenRead(file), System.IO.Compression.CompressionMode.Decompress);
        return Results.Stream(stream, contentType, $"layerlens-{id:N}.{extension}");
    }

    private static async Task<IResult> CancelAsync(Guid id, AnalysisQueue queue, IDbContextFactory<AppDbContext> dbFactory) =>
        await queue.CancelAsync(id) ? Results.Accepted($"/api/v1/analyses/{id}") : await NotActionableAsync(id, dbFactory, "cancelled", "it is not queued or running");

    private static async Task<IResult> RetryAsync(Guid id, AnalysisQueue queue, IDbContextFactory<AppDbContext> dbFactory, HttpContext http)
    {
        try
        {
            return await queue.RetryAsync(id) ? Results.Accepted($"/api/v1/analyses/{id}") : await NotActionableAsync(id, dbFactory, "retried", "only failed or cancelled analyses can be retried");
        }
        catch (StorageQuotaExceededException ex)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Storage quota used up", ex.Message);
        }
        catch (QuotaExceededException ex)
        {
            http.Response.Headers.RetryAfter = "30";
            return Problem(StatusCodes.Status429TooManyRequests, "Quota used up", ex.Message);
        }
    }

    private static async Task<IResult> DeleteAsync(Guid id, AnalysisQueue queue) =>
        await queue.DeleteAsync(id) ? Results.NoContent() : NotFound(id);

    private static async Task<IResult> NotActionableAsync(Guid id, IDbContextFactory<AppDbContext> dbFactory, string verb, string why)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var status = await db.Analyses.Where(a => a.Id == id).Select(a => (AnalysisStatus?)a.Status).SingleOrDefaultAsync();
        return status is null
            ? NotFound(id)
            : Problem(StatusCodes.Status409Conflict, $"Cannot be {verb}", $"analysis {id} is {AnalysisResource.StatusName(status.Value)}; {why}");
    }

    private static IResult Accepted(Analysis analysis) =>
        Results.Json(new AnalysisAccepted(analysis.Id, AnalysisResource.StatusName(analysis.Status), AnalysisLinks.For(analysis.Id)),
            statusCode: StatusCodes.Status202Accepted);

    private static IResult NotFound(Guid id) => Problem(StatusCodes.Status404NotFound, "Analysis not found", $"there is no analysis {id}");

    private static IResult Problem(int status, string title, string detail) =>
        Results.Problem(new ProblemDetails { Status = status, Title = title, Detail = detail });
}
