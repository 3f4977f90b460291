using System.Security.Claims;
using LayerLens.Data.Model.Workspaces;
using LayerLens.Data.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Tenancy;

/// <summary>
/// A signed-in user's workspaces and the one they act in: the workspace they last chose in the switcher
/// (<see cref="AppUser.CurrentWorkspaceId"/>) while they are still a member of it, else the first they joined.
/// Read from the database once per request (through <see cref="ScopeMemberships"/>), so a removed member or a
/// changed role takes effect at once and no cookie content can name a workspace the user does not belong to.
/// </summary>
public sealed class Memberships(SystemDbContextFactory system)
{
    public sealed record Choice(Guid WorkspaceId, string Name, WorkspaceRole Role);

    public sealed record Resolved(Choice? Current, IReadOnlyList<Choice> All);

    public async Task<Resolved> ResolveAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = system.CreateDbContext();
        // One round trip per request: the memberships with the user's remembered choice alongside.
        var rows = await db.WorkspaceMembers.AsNoTracking().Where(m => m.UserId == userId)
            .OrderBy(m => m.JoinedAtUtc)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { m.WorkspaceId, m.Workspace!.Name, m.Role, u.CurrentWorkspaceId })
            .ToListAsync(cancellationToken);
        var all = rows.Select(r => new Choice(r.WorkspaceId, r.Name, r.Role)).ToList();
        var chosen = rows.FirstOrDefault()?.CurrentWorkspaceId;
        return new Resolved(all.FirstOrDefault(c => c.WorkspaceId == chosen) ?? all.FirstOrDefault(), all);
    }

    /// <summary>Remembers the user's choice; false (nothing changes) when they are not a member of that workspace.</summary>
    public async Task<bool> ChooseAsync(string userId, Guid workspaceId, CancellationToken cancellationToken = default)
    {
        await using var db = system.CreateDbContext();
        if (!await db.WorkspaceMembers.AnyAsync(m => m.UserId == userId && m.WorkspaceId == workspaceId, cancellationToken))
        {
            return false;
        }
        return await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.CurrentWorkspaceId, workspaceId), cancellationToken) == 1;
    }

    /// <summary>The principal with the workspace, role and scope claims of <paramref name="current"/> (none when null).</summary>
    public static ClaimsPrincipal WithWorkspace(ClaimsPrincipal user, Choice? current)
    {
        var identity = (ClaimsIdentity)user.Identity!;
        var copy = new ClaimsIdentity(
            identity.Claims.Where(c => c.Type is not (LayerLensClaims.Workspace or LayerLensClaims.Role or LayerLensClaims.Scope)),
            identity.AuthenticationType, identity.NameClaimType, identity.RoleClaimType);
        if (current is not null)
        {
            copy.AddClaim(new Claim(LayerLensClaims.Workspace, current.WorkspaceId.ToString()));
            copy.AddClaim(new Claim(LayerLensClaims.Role, current.Role.ToString().ToLowerInvariant()));
            foreach (var scope in ApiScopes.ForRole(current.Role))
            {
                copy.AddClaim(new Claim(LayerLensClaims.Scope, scope));
            }
        }
        return new ClaimsPrincipal(copy);
    }
}
