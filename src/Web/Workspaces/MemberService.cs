using LayerLens.Data.Model.Workspaces;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Audit;
using LayerLens.Web.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Workspaces;

/// <summary>The current workspace's members: owners change roles and remove members (people join through invitations).</summary>
public sealed class MemberService(SystemDbContextFactory system, WorkspaceAccess access, UserManager<AppUser> users, AuditLog audit)
{
    public sealed record Member(string UserId, string Email, WorkspaceRole Role, DateTime JoinedAtUtc);

    public async Task<List<Member>> ListAsync(CancellationToken cancellationToken = default)
    {
        var id = await access.RequireAsync(ApiScopes.MembersManage, cancellationToken);
        await using var db = system.ForWorkspace(id);
        var rows = await db.WorkspaceMembers.AsNoTracking().Where(m => m.WorkspaceId == id).OrderBy(m => m.JoinedAtUtc)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.Email, m.Role, m.JoinedAtUtc })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new Member(r.Id, r.Email ?? r.Id, r.Role, r.JoinedAtUtc)).ToList();
    }

    /// <summary>
    /// Changes an existing member's role; returns an error message, or null on success. There is no way to add an
    /// account here: sign-up does not verify addresses, so whoever registered an address is not proof of who owns it.
    /// People join only through an invitation link sent to the address (<see cref="Invitations.InvitationService"/>).
    /// </summary>
    public async Task<string?> ChangeRoleAsync(string userId, WorkspaceRole role, CancellationToken cancellationToken = default)
    {
        var id = await access.RequireAsync(ApiScopes.MembersManage, cancellationToken);
        if (!Enum.IsDefined(role))
        {
            return "the role is viewer, member or owner";
        }
        await using var db = system.ForWorkspace(id);
        var member = await db.WorkspaceMembers.SingleOrDefaultAsync(m => m.WorkspaceId == id && m.UserId == userId, cancellationToken);
        if (member is null)
        {
            return "no such member; invite people from the Invitations section";
        }
        if (member.Role == WorkspaceRole.Owner && role != WorkspaceRole.Owner && await OwnersAsync(db, id, cancellationToken) == 1)
        {
            return "a workspace keeps at least one owner";
        }
        member.Role = role;
        await db.SaveChangesAsync(cancellationToken);
        var email = (await users.FindByIdAsync(userId))?.Email ?? userId;
        await audit.WriteAsync("member.role-changed", $"{email} as {role.ToString().ToLowerInvariant()}", cancellationToken);
        return null;
    }

    public async Task<string?> RemoveAsync(string userId, CancellationToken cancellationToken = default)
    {
        var id = await access.RequireAsync(ApiScopes.MembersManage, cancellationToken);
        await using var db = system.ForWorkspace(id);
        var member = await db.WorkspaceMembers.SingleOrDefaultAsync(m => m.WorkspaceId == id && m.UserId == userId, cancellationToken);
        if (member is null)
        {
            return "no such member";
        }
        if (member.Role == WorkspaceRole.Owner && await OwnersAsync(db, id, cancellationToken) == 1)
        {
            return "a workspace keeps at least one owner";
        }
        db.WorkspaceMembers.Remove(member);
        await db.SaveChangesAsync(cancellationToken);
        var email = (await users.FindByIdAsync(userId))?.Email ?? userId;
        await audit.WriteAsync("member.removed", email, cancellationToken);
        return null;
    }

    private static Task<int> OwnersAsync(LayerLens.Data.AppDbContext db, Guid id, CancellationToken ct) =>
        db.WorkspaceMembers.CountAsync(m => m.WorkspaceId == id && m.Role == WorkspaceRole.Owner, ct);
}
