using LayerLens.Web.RegistryHooks;
using LayerLens.Web.Tenancy;
using Microsoft.AspNetCore.Mvc;

namespace LayerLens.Web.Api;

/// <summary>API v1: <c>/api/v1/registry-hosts</c> (scope webhooks:manage), the registry hook's host mapping.</summary>
public static class RegistryHostsEndpoints
{
    public static IEndpointRouteBuilder MapRegistryHostsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/registry-hosts").WithTags("Hooks").DisableAntiforgery().RequireAuthorization(ApiScopes.WebhooksManage);
        api.MapGet("", ListAsync).WithSummary("Notification host → pull host mappings of this workspace").Produces<RegistryHostResource[]>();
        api.MapPut("", SetAsync).WithSummary("Pull images a registry notifies about under one host from another host")
            .Produces<RegistryHostResource>().ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapDelete("{id:guid}", RemoveAsync).WithSummary("Remove a mapping").Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> ListAsync(RegistryHostMappings mappings, CancellationToken ct) =>
        Results.Ok((await mappings.ListAsync(ct)).Select(m => new RegistryHostResource(m.Id, m.NotificationHost, m.PullHost)));

    private static async Task<IResult> SetAsync(RegistryHostRequest? request, RegistryHostMappings mappings, CancellationToken ct)
    {
        try
        {
            var m = await mappings.SetAsync(request?.NotificationHost, request?.PullHost, ct);
            return Results.Ok(new RegistryHostResource(m.Id, m.NotificationHost, m.PullHost));
        }
        catch (ArgumentException ex)
        {
            return Results.Problem(new ProblemDetails { Status = 400, Title = "Invalid mapping", Detail = ex.Message });
        }
    }

    private static async Task<IResult> RemoveAsync(Guid id, RegistryHostMappings mappings, CancellationToken ct) =>
        await mappings.RemoveAsync(id, ct)
            ? Results.NoContent()
            : Results.Problem(new ProblemDetails { Status = 404, Title = "No such mapping", Detail = $"there is no mapping {id}" });
}

public sealed record RegistryHostRequest(string? NotificationHost, string? PullHost);

public sealed record RegistryHostResource(Guid Id, string NotificationHost, string PullHost);
