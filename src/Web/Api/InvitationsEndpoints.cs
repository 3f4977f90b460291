using LayerLens.Data.Model.Workspaces;
using LayerLens.Web.Invitations;
using LayerLens.Web.Tenancy;
using LayerLens.Web.Webhooks;
using Microsoft.AspNetCore.Mvc;

namespace LayerLens.Web.Api;

/// <summary>API v1: <c>/api/v1/invitations</c> (scope members:manage). The link is in the creation answer only.</summary>
public static class InvitationsEndpoints
{
    public static IEndpointRouteBuilder MapInvitationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/invitations").WithTags("Invitations").DisableAntiforgery().RequireAuthorization(ApiScopes.MembersManage);
        api.MapPost("", CreateAsync).WithSummary("Invite an email address with a role; the one-time link is shown in this answer only")
            .Produces<CreatedInvitation>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("", ListAsync).WithSummary("This workspace's invitations and their state").Produces<InvitationResource[]>();
        api.MapDelete("{id:guid}", RevokeAsync).WithSummary("Revoke an open invitation; its link stops working")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> CreateAsync(InvitationRequest? request, InvitationService invitations, PublicLinks links, CancellationToken ct)
    {
        if (!Enum.TryParse<WorkspaceRole>(request?.Role ?? "member", ignoreCase: true, out var role) || !Enum.IsDefined(role) || int.TryParse(request?.Role, out _))
        {
            return Results.Problem(new ProblemDetails { Status = 400, Title = "Invalid invitation", Detail = "the role is viewer, member or owner" });
        }
        try
        {
            var (invitation, token) = await invitations.CreateAsync(request?.Email, role, ct);
            return Results.Created($"/api/v1/invitations/{invitation.Id}",
                new CreatedInvitation(invitation.Id, invitation.Email, InvitationService.Name(role), invitation.ExpiresAtUtc, links.Absolute($"/invitations/{token}")));
        }
        catch (ArgumentException ex)
        {
            return Results.Problem(new ProblemDetails { Status = 400, Title = "Invalid invitation", Detail = ex.Message });
        }
    }

    private static async Task<IResult> ListAsync(InvitationService invitations, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return Results.Ok((await invitations.ListAsync(ct)).Select(i => new InvitationResource(
            i.Id, i.Email, InvitationService.Name(i.Role), i.CreatedAtUtc, i.CreatedBy, i.ExpiresAtUtc, State(i, now))));
    }

    private static async Task<IResult> RevokeAsync(Guid id, InvitationService invitations, CancellationToken ct) =>
        await invitations.RevokeAsync(id, ct)
            ? Results.NoContent()
            : Results.Problem(new ProblemDetails { Status = 404, Title = "No such invitation", Detail = $"there is no open invitation {id}" });

    public static string State(Invitation i, DateTime now) =>
        i.AcceptedAtUtc is not null ? "accepted" : i.RevokedAtUtc is not null ? "revoked" : i.ExpiresAtUtc <= now ? "expired" : "open";
}

public sealed record InvitationRequest(string? Email, string? Role);

public sealed record InvitationResource(Guid Id, string Email, string Role, DateTime CreatedAt, string? CreatedBy, DateTime ExpiresAt, string State);

public sealed record CreatedInvitation(Guid Id, string Email, string Role, DateTime ExpiresAt, string Link);
