using LayerLens.Data.Model.Workspaces;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Audit;
using LayerLens.Web.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Workspaces;

/// <summary>The current workspace's members: owners add existing accounts by email, change roles, remove members.</summary>
public sealed class MemberService(SystemDbContextFactory system, WorkspaceContext workspace, UserManager<AppUser> users, AuditLog audit)
{
    public sealed record Member(string UserId, string Email, WorkspaceRole Role, DateTime JoinedAtUtc);

    public async Task<List<Member>> ListAsync(CancellationToken cancellationToken = default)
    {
        var id = workspace.WorkspaceId ?? throw new InvalidOperationException("no workspace");
        await using var db = system.ForWorkspace(id);
        var rows = await db.WorkspaceMembers.AsNoTracking().Where(m => m.WorkspaceId == id).OrderBy(m => m.JoinedAtUtc)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.Email, m.Role, m.JoinedAtUtc })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new Member(r.Id, r.Email ?? r.Id, r.Role, r.JoinedAtUtc)).ToList();
    }

    /// <summary>Adds or re-roles an account; returns an error message, or null on success.</summary>
    public async Task<string?> SetAsync(string email, WorkspaceRole role, CancellationToken cancellationToken = default)
    {
        var id = RequireOwner();
        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null)
        {
            return $"there is no account '{email}'; they sign up first";
        }
        await using var db = system.ForWorkspace(id);
        var member = await db.WorkspaceMembers.SingleOrDefaultAsync(m => m.WorkspaceId == id && m.UserId == user.Id, cancellationToken);
        if (member is null)
        {
            db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = id, UserId = user.Id, Role = role });
        }
        else if (member.Role == WorkspaceRole.Owner && role != WorkspaceRole.Owner && await OwnersAsync(db, id, cancellationToken) == 1)
        {
            return "a workspace keeps at least one owner";
        }
        else
        {
            member.Role = role;
        }
        await db.SaveChangesAsync(cancellationToken);
        await audit.WriteAsync(member is null ? "member.added" : "member.role-changed", $"{user.Email} as {role.ToString().ToLowerInvariant()}", cancellationToken);
        return null;
    }

    public async Task<string?> RemoveAsync(string userId, CancellationToken cancellationToken = default)
    {
        var id = RequireOwner();
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

    private Guid RequireOwner() =>
        workspace.WorkspaceId is { } id && workspace.Has(ApiScopes.MembersManage) ? id : throw new UnauthorizedAccessException("only owners manage members");

    private static Task<int> OwnersAsync(LayerLens.Data.AppDbContext db, Guid id, CancellationToken ct) =>
        db.WorkspaceMembers.CountAsync(m => m.WorkspaceId == id && m.Role == WorkspaceRole.Owner, ct);
}
