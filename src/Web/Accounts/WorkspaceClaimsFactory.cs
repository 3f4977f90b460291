using System.Security.Claims;
using LayerLens.Data.Model.Workspaces;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LayerLens.Web.Accounts;

/// <summary>A signed-in user's cookie carries their workspace (the first they joined), role and the scopes of that role.</summary>
public sealed class WorkspaceClaimsFactory(UserManager<AppUser> users, IOptions<IdentityOptions> options, SystemDbContextFactory system)
    : UserClaimsPrincipalFactory<AppUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(LayerLensClaims.Actor, user.Email ?? user.UserName ?? user.Id));
        await using var db = system.CreateDbContext();
        var membership = await db.WorkspaceMembers.AsNoTracking().Where(m => m.UserId == user.Id)
            .OrderBy(m => m.JoinedAtUtc).FirstOrDefaultAsync();
        if (membership is not null)
        {
            identity.AddClaim(new Claim(LayerLensClaims.Workspace, membership.WorkspaceId.ToString()));
            identity.AddClaim(new Claim(LayerLensClaims.Role, membership.Role.ToString().ToLowerInvariant()));
            foreach (var scope in ApiScopes.ForRole(membership.Role))
            {
                identity.AddClaim(new Claim(LayerLensClaims.Scope, scope));
            }
        }
        return identity;
    }
}
