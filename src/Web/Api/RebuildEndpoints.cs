using System.Text.Json;
using LayerLens.Analyzer.Images.Registry;
using LayerLens.Web.Limits;
using LayerLens.Web.Rebuilds;
using LayerLens.Web.Tenancy;
using Microsoft.AspNetCore.Mvc;

namespace LayerLens.Web.Api;

/// <summary>
/// API v1: <c>/api/v1/analyses/{id}/rebuild</c>. The image of a succeeded analysis rebuilt without dead bytes
/// (docs/rebuild.md), in the background; one rebuild at a time per analysis.
/// </summary>
public static class RebuildEndpoints
{
    private const int MaxBody = 4096;

    /// <summary>Credentials for a registry destination, from the request body only.</summary>
    private sealed record PushCredentialsBody(string? Username, string? Password);

    /// <summary>The body, or null when it is over <see cref="MaxBody"/> bytes (a chunked body announces no length).</summary>
    private static async Task<byte[]?> ReadCappedAsync(Stream body, CancellationToken ct)
    {
        var buffer = new byte[MaxBody + 1];
        var length = 0;
        int n;
        while (length < buffer.Length && (n = await body.ReadAsync(buffer.AsMemory(length), ct)) > 0)
        {
            length += n;
        }
        return length > MaxBody ? null : buffer[..length];
    }

    public static IEndpointRouteBuilder MapRebuildApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/analyses/{id:guid}/rebuild").WithTags("Rebuild").DisableAntiforgery();
        api.MapPost("", StartAsync).RequireAuthorization(ApiScopes.AnalysesWrite)
            .WithSummary("Rebuild the analysed image without dead bytes: JSON {\"compression\": \"gzip\"|\"zstd\", \"squash\": bool, \"layers\": N, \"destination\": \"registry/repo:tag\", \"username\", \"password\", \"force\": bool}, all optional; without a destination the result is downloaded")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapGet("", GetAsync).RequireAuthorization(ApiScopes.AnalysesRead)
            .WithSummary("Status, phase and, once succeeded, the report (kept layers and why, bytes before/after, layer counts, dead bytes after, bytes to pull)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("download", DownloadAsync).RequireAuthorization(ApiScopes.AnalysesRead)
            .WithSummary("The rebuilt image as an OCI archive (application/x-tar)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapDelete("", CancelAsync).RequireAuthorization(ApiScopes.AnalysesWrite)
            .WithSummary("Cancel the queued or running rebuild (it leaves no output)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> StartAsync(Guid id, HttpContext http, RebuildService rebuilds, CancellationToken ct)
    {
        var analysis = await rebuilds.FindAsync(id, ct);
        if (analysis is null)
        {
            return NotFound(id);
        }
        RebuildOptions options = new();
        RegistryCredentials? credentials = null;
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            if (http.Request.ContentLength > MaxBody)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid rebuild options", "the JSON body is larger than 4,096 bytes");
            }
            try
            {
                var body = await ReadCappedAsync(http.Request.Body, ct);
                if (body is null)
                {
                    return Problem(StatusCodes.Status400BadRequest, "Invalid rebuild options", "the JSON body is larger than 4,096 bytes");
                }
                options = JsonSerializer.Deserialize<RebuildOptions>(body, JsonSerializerOptions.Web) ?? options;
                // The destination's credentials are read beside the options, never into them: the options are stored, these are not.
                if (JsonSerializer.Deserialize<PushCredentialsBody>(body, JsonSerializerOptions.Web) is { Username.Length: > 0 } given)
                {
                    credentials = new RegistryCredentials(given.Username, given.Password ?? "");
                }
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid rebuild options",
                    $"send JSON {{\"compression\": \"gzip\"|\"zstd\", \"squash\": true|false, \"layers\": N, \"dropJunk\": true|false, \"linkDuplicates\": true|false, \"destination\": \"registry/repo:tag\", \"username\": …, \"password\": …, \"force\": true|false}}: {ex.Message}");
            }
        }
        try
        {
            var state = await rebuilds.StartAsync(analysis, options, ct, credentials);
            return Results.Json(Resource(id, state), statusCode: StatusCodes.Status202Accepted);
        }
        catch (RebuildStartRefusedException ex)
        {
            return Problem(ex.Status, ex.Title, ex.Message);
        }
        catch (StorageQuotaExceededException ex)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Storage quota used up", ex.Message);
        }
    }

    private static async Task<IResult> GetAsync(Guid id, RebuildService rebuilds, CancellationToken ct)
    {
        var analysis = await rebuilds.FindAsync(id, ct);
        if (analysis is null)
        {
            return NotFound(id);
        }
        return rebuilds.State(analysis) is { } state
            ? Results.Ok(Resource(id, state))
            : Problem(StatusCodes.Status404NotFound, "No rebuild", $"analysis {id} has not been rebuilt; POST /api/v1/analyses/{id}/rebuild starts one");
    }

    private static async Task<IResult> DownloadAsync(Guid id, RebuildService rebuilds, CancellationToken ct)
    {
        var analysis = await rebuilds.FindAsync(id, ct);
        if (analysis is null)
        {
            return NotFound(id);
        }
        var state = rebuilds.State(analysis);
        FileStream archive;
        try
        {
            archive = state is { Status: RebuildState.Succeeded } ? File.OpenRead(rebuilds.ArchivePath(analysis)) : throw new FileNotFoundException();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Problem(StatusCodes.Status409Conflict, "No rebuilt image",
                $"analysis {id} has no rebuilt image{(state is null ? "" : $" (its rebuild is {state.Status})")}; POST /api/v1/analyses/{id}/rebuild starts one");
        }
        return Results.Stream(archive, "application/x-tar", $"layerlens-{id:N}-rebuilt.oci.tar");
    }

    private static async Task<IResult> CancelAsync(Guid id, RebuildService rebuilds, CancellationToken ct)
    {
        var analysis = await rebuilds.FindAsync(id, ct);
        if (analysis is null)
        {
            return NotFound(id);
        }
        return await rebuilds.CancelAsync(analysis, ct)
            ? Results.Accepted($"/api/v1/analyses/{id}/rebuild")
            : Problem(StatusCodes.Status409Conflict, "Cannot be cancelled", $"analysis {id} has no rebuild queued or running");
    }

    /// <summary>The state as the API shows it, with its links.</summary>
    public static object Resource(Guid id, RebuildState state) => new
    {
        state.Status,
        state.Phase,
        state.Options,
        state.RequestedAtUtc,
        state.StartedAtUtc,
        state.FinishedAtUtc,
        state.Error,
        state.Report,
        state.ArchiveBytes,
        state.Push,
        Links = new { Self = $"/api/v1/analyses/{id}/rebuild", Download = state is { Status: RebuildState.Succeeded, Push: null } ? $"/api/v1/analyses/{id}/rebuild/download" : null },
    };

    private static IResult NotFound(Guid id) => Problem(StatusCodes.Status404NotFound, "Analysis not found", $"there is no analysis {id}");

    private static IResult Problem(int status, string title, string detail) =>
        Results.Problem(new ProblemDetails { Status = status, Title = title, Detail = detail });
}
