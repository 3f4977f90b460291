using LayerLens.Data.Model.Webhooks;
using LayerLens.Web.Tenancy;
using LayerLens.Web.Webhooks;
using Microsoft.AspNetCore.Mvc;

namespace LayerLens.Web.Api;

/// <summary>API v1: <c>/api/v1/webhooks</c> (scope webhooks:manage). Secrets are accepted, never returned after creation.</summary>
public static class WebhooksEndpoints
{
    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/webhooks").WithTags("Webhooks").DisableAntiforgery().RequireAuthorization(ApiScopes.WebhooksManage);
        api.MapPost("", CreateAsync).WithSummary("Subscribe a URL to events; the secret (generated when left out) is shown in this answer only");
        api.MapGet("", ListAsync).WithSummary("This workspace's webhooks");
        api.MapDelete("{id:guid}", DeleteAsync).WithSummary("Remove a webhook and its delivery log");
        api.MapGet("{id:guid}/deliveries", DeliveriesAsync).WithSummary("Recent deliveries with every attempt's status code");
        api.MapPost("deliveries/{id:guid}/redeliver", RedeliverAsync).WithSummary("Send a delivery's body again as a new delivery");
        return app;
    }

    private static async Task<IResult> CreateAsync(WebhookRequest? request, WebhookService service, CancellationToken ct)
    {
        try
        {
            var (hook, secret) = await service.CreateAsync(request?.Url, request?.Events, request?.Secret, ct);
            return Results.Created($"/api/v1/webhooks/{hook.Id}", new CreatedWebhook(hook.Id, hook.Url, Events(hook), hook.CreatedAtUtc, secret));
        }
        catch (ArgumentException ex)
        {
            return Results.Problem(new ProblemDetails { Status = 400, Title = "Invalid webhook", Detail = ex.Message });
        }
    }

    private static async Task<IResult> ListAsync(WebhookService service, CancellationToken ct) =>
        Results.Ok((await service.ListAsync(ct)).Select(h => new WebhookResource(h.Id, h.Url, Events(h), h.CreatedAtUtc)));

    private static async Task<IResult> DeleteAsync(Guid id, WebhookService service, CancellationToken ct) =>
        await service.DeleteAsync(id, ct) ? Results.NoContent() : NotFound("webhook", id);

    private static async Task<IResult> DeliveriesAsync(Guid id, WebhookService service, CancellationToken ct) =>
        await service.DeliveriesAsync(id, 100, ct) is { } list
            ? Results.Ok(list.Select(d => new DeliveryResource(
                d.Id, d.Event, d.AnalysisId, d.CreatedAtUtc, d.State.ToString().ToLowerInvariant(), d.LastStatusCode,
                d.Attempts.OrderBy(a => a.Number).Select(a => new AttemptResource(a.Number, a.AttemptedAtUtc, a.StatusCode, a.Error, a.DurationMilliseconds)).ToList())))
            : NotFound("webhook", id);

    private static async Task<IResult> RedeliverAsync(Guid id, WebhookService service, CancellationToken ct) =>
        await service.RedeliverAsync(id, ct) is { } again
            ? Results.Accepted($"/api/v1/webhooks/{again.WebhookId}/deliveries", new { id = again.Id })
            : NotFound("delivery", id);

    private static string[] Events(Webhook hook) => hook.Events.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static IResult NotFound(string what, Guid id) =>
        Results.Problem(new ProblemDetails { Status = 404, Title = $"No such {what}", Detail = $"there is no {what} {id}" });
}

public sealed record WebhookRequest(string? Url, string[]? Events, string? Secret);

public sealed record WebhookResource(Guid Id, string Url, string[] Events, DateTime CreatedAt);

public sealed record CreatedWebhook(Guid Id, string Url, string[] Events, DateTime CreatedAt, string Secret);

public sealed record DeliveryResource(Guid Id, string Event, Guid? AnalysisId, DateTime CreatedAt, string State, int? LastStatusCode, IReadOnlyList<AttemptResource> Attempts);

public sealed record AttemptResource(int Number, DateTime AttemptedAt, int? StatusCode, string? Error, long DurationMilliseconds);
