using System.Text.Json;
using LayerLens.Analyzer.Images;
using LayerLens.Data;
using LayerLens.Data.Model.RegistryHooks;
using LayerLens.Web.Analyses;
using LayerLens.Web.Jobs;
using LayerLens.Web.Limits;
using LayerLens.Web.Tenancy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.RegistryHooks;

/// <summary>
/// <c>POST /api/v1/hooks/registry</c>: a registry's push notifications (API key in the Authorization header, which
/// registries send as a fixed header). Each pushed manifest starts one analysis of <c>host/repository@digest</c>;
/// a digest already seen by the workspace (registry retries, tag and manifest events together) starts nothing.
/// The host is the notification's <c>target.url</c> host, or the pull host the workspace maps it to. The push row
/// and its analysis are saved in one transaction, so a failure between them cannot record a push that started
/// nothing (which the registry's retry would then meet as a duplicate); a retry of a push whose analysis is still
/// queued enqueues it again (a duplicate delivery of the job does nothing: the claim is conditional).
/// </summary>
public static class RegistryHookEndpoints
{
    private const int MaxBodyBytes = 1024 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapRegistryHooks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/hooks/registry", ReceiveAsync).WithTags("Hooks").DisableAntiforgery()
            .RequireAuthorization(ApiScopes.AnalysesWrite)
            .WithSummary("Docker distribution notification envelope; each pushed manifest is analysed once");
        return app;
    }

    private static async Task<IResult> ReceiveAsync(HttpRequest request, IDbContextFactory<AppDbContext> dbFactory, AnalysisIntake intake,
        RegistryHostMappings hosts, AnalysisQueue queue, ILoggerFactory loggers, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return Problem(413, "Envelope too large", $"notification envelopes are at most {MaxBodyBytes / 1024} KiB");
        }
        RegistryEnvelope? envelope;
        try
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16384];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return Problem(413, "Envelope too large", $"notification envelopes are at most {MaxBodyBytes / 1024} KiB");
                }
                buffer.Write(chunk, 0, read);
            }
            buffer.Position = 0;
            envelope = await JsonSerializer.DeserializeAsync<RegistryEnvelope>(buffer, Json, ct);
        }
        catch (JsonException ex)
        {
            return Problem(400, "Malformed envelope", ex.Message);
        }
        var started = new List<Guid>();
        var duplicates = 0;
        Func<string, string>? pullHostOf = null; // the workspace's host mapping, read at the first push that needs it
        foreach (var e in envelope?.Events ?? [])
        {
            if (e.Action != "push" || e.Target is not { Digest: { Length: > 0 } digest, Repository: { Length: > 0 } repository, Url: { Length: > 0 } url }
                || !(MediaTypes.IsManifest(e.Target.MediaType) || MediaTypes.IsIndex(e.Target.MediaType))
                || !Uri.TryCreate(url, UriKind.Absolute, out var target))
            {
                continue; // layer blobs, pulls, deletes
            }
            // The registry names itself as it knows itself; the workspace may map that to a host this server can reach.
            pullHostOf ??= await hosts.LoadResolverAsync(ct);
            var name = $"{pullHostOf(target.Authority)}/{repository}";
            try
            {
                var tagged = e.Target.Tag is { Length: > 0 } tag ? $"{name}:{tag}" : null;
                var analysis = await intake.FromRegistryAsync(new RegistryAnalysis($"{name}@{digest}", null, tagged, name, null, null), ct,
                    alongside: (db, a) => db.RegistryPushes.Add(new RegistryPush { Repository = name, Digest = digest, AnalysisId = a.Id }));
                started.Add(analysis.Id);
            }
            catch (DbUpdateException)
            {
                // This workspace already has this digest of this repository (the unique index refused the push row,
                // and with it the analysis). Still queued after a crash lost its job? Queue it again.
                duplicates++;
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                var queued = await db.RegistryPushes.Where(p => p.Repository == name && p.Digest == digest)
                    .Join(db.Analyses, p => p.AnalysisId, a => a.Id, (p, a) => a)
                    .Where(a => a.Status == Data.Model.AnalysisStatus.Queued).Select(a => (Guid?)a.Id).FirstOrDefaultAsync(ct);
                if (queued is { } id)
                {
                    queue.Enqueue(id);
                }
            }
            catch (QuotaExceededException ex)
            {
                // Nothing of this push was saved: answer 429 so the registry retries it later, when the workspace has room.
                return Problem(429, "Quota used up", ex.Message);
            }
            catch (IntakeException ex)
            {
                // A refused target (the SSRF guard) will not get better when the registry retries: log it, answer 200.
                loggers.CreateLogger(typeof(RegistryHookEndpoints)).LogWarning("Registry push of {Repository}@{Digest} refused: {Message}", name, digest, ex.Message);
            }
        }
        return Results.Ok(new { analyses = started, duplicates });
    }

    private static IResult Problem(int status, string title, string detail) =>
        Results.Problem(new ProblemDetails { Status = status, Title = title, Detail = detail });
}
