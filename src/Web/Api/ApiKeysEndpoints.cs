using LayerLens.Data.Model.Access;
using LayerLens.Web.ApiKeys;
using LayerLens.Web.Tenancy;
using Microsoft.AspNetCore.Mvc;

namespace LayerLens.Web.Api;

/// <summary>
/// API v1: <c>/api/v1/keys</c> (scope keys:manage). The key itself is in the creation answer only; lists show its
/// prefix. A key grants at most the scopes of the credential that creates it. Creation and revocation are audited.
/// </summary>
public static class ApiKeysEndpoints
{
    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/keys").WithTags("API keys").DisableAntiforgery().RequireAuthorization(ApiScopes.KeysManage);
        api.MapPost("", CreateAsync).WithSummary("Create a key of this workspace; the key is shown in this answer only")
            .Produces<CreatedApiKey>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("", ListAsync).WithSummary("This workspace's keys (prefix, scopes, last use; never the key)")
            .Produces<ApiKeyResource[]>();
        api.MapDelete("{id:guid}", RevokeAsync).WithSummary("Revoke a key; requests with it answer 401 from now on")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> CreateAsync(ApiKeyRequest? request, ApiKeyService keys, CancellationToken ct)
    {
        try
        {
            var (key, secret) = await keys.CreateAsync(request?.Name ?? "", request?.Scopes, ct);
            return Results.Created($"/api/v1/keys/{key.Id}", new CreatedApiKey(key.Id, key.Name, key.Prefix, Scopes(key), key.CreatedAtUtc, secret));
        }
        catch (ArgumentException ex)
        {
            return Results.Problem(new ProblemDetails { Status = 400, Title = "Invalid key", Detail = ex.Message });
        }
    }

    private static async Task<IResult> ListAsync(ApiKeyService keys, CancellationToken ct) =>
        Results.Ok((await keys.ListAsync(ct)).Select(k => new ApiKeyResource(k.Id, k.Name, k.Prefix, Scopes(k), k.CreatedAtUtc, k.CreatedBy, k.LastUsedAtUtc, k.RevokedAtUtc)));

    private static async Task<IResult> RevokeAsync(Guid id, ApiKeyService keys, CancellationToken ct) =>
        await keys.RevokeAsync(id, ct)
            ? Results.NoContent()
            : Results.Problem(new ProblemDetails { Status = 404, Title = "No such key", Detail = $"there is no active key {id}" });

    private static string[] Scopes(ApiKey key) => key.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

public sealed record ApiKeyRequest(string? Name, string[]? Scopes);

public sealed record ApiKeyResource(Guid Id, string Name, string Prefix, string[] Scopes, DateTime CreatedAt, string? CreatedBy, DateTime? LastUsedAt, DateTime? RevokedAt);

public sealed record CreatedApiKey(Guid Id, string Name, string Prefix, string[] Scopes, DateTime CreatedAt, string Key);
