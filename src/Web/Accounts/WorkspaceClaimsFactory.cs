using System.Security.Claims;
using LayerLens.Data.Model.Workspaces;
using LayerLens.Web.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace LayerLens.Web.Accounts;

/// <summary>
/// A signed-in user's cookie carries their current workspace, role and the scopes of that role. Requests
/// re-check them against the memberships (<see cref="Memberships"/>); the cookie only saves a lookup for pages
/// rendered before that check could run.
/// </summary>
public sealed class WorkspaceClaimsFactory(UserManager<AppUser> users, IOptions<IdentityOptions> options, Memberships memberships)
    : UserClaimsPrincipalFactory<AppUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(LayerLensClaims.Actor, user.Email ?? user.UserName ?? user.Id));
        var resolved = await memberships.ResolveAsync(user.Id);
        return (ClaimsIdentity)Memberships.WithWorkspace(new ClaimsPrincipal(identity), resolved.Current).Identity!;
    }
}
