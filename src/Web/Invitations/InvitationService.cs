using LayerLens.Data;
using LayerLens.Data.Model.Workspaces;
using LayerLens.Data.Tenancy;
using LayerLens.Web.ApiKeys;
using LayerLens.Web.Audit;
using LayerLens.Web.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Invitations;

/// <summary>
/// Owners invite an email address with a role. The link carries a random token shown once; only its SHA-256 is
/// stored. Accepting (by the invited address, signed in or signing up through the link) creates the membership,
/// once: the row is claimed by a conditional update, so a replayed or concurrent accept finds it used.
/// </summary>
public sealed class InvitationService(
    IDbContextFactory<AppDbContext> dbFactory, SystemDbContextFactory system, WorkspaceContext workspace, AuditLog audit,
    InvitationSettings settings, TimeProvider time, WorkspaceAccess access)
{
    public const string TokenPrefix = "lli_";

    /// <summary>What an invitation link shows before it is accepted.</summary>
    public sealed record Preview(Guid InvitationId, Guid WorkspaceId, string WorkspaceName, string Email, WorkspaceRole Role, DateTime ExpiresAtUtc);

    public async Task<(Invitation Invitation, string Token)> CreateAsync(string? email, WorkspaceRole role, CancellationToken cancellationToken = default)
    {
        var id = await access.RequireAsync(ApiScopes.MembersManage, cancellationToken);
        email = email?.Trim() ?? "";
        if (email.Length is 0 or > 256 || !email.Contains('@', StringComparison.Ordinal))
        {
            throw new ArgumentException("give the email address to invite");
        }
        if (!Enum.IsDefined(role))
        {
            throw new ArgumentException("the role is viewer, member or owner");
        }
        // Like a key, an invitation hands out at most what the inviting credential holds.
        if (ApiScopes.ForRole(role).FirstOrDefault(s => !workspace.Has(s)) is { } beyond)
        {
            throw new ArgumentException($"you cannot invite as {Name(role)}: your credential does not have '{beyond}'");
        }
        var token = ApiKeyService.NewSecret(TokenPrefix);
        var invitation = new Invitation
        {
            WorkspaceId = id,
            Email = email,
            Role = role,
            TokenHash = ApiKeyService.Hash(token),
            CreatedBy = workspace.Actor,
            ExpiresAtUtc = time.GetUtcNow().UtcDateTime + settings.Validity,
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.Invitations.Add(invitation);
        await db.SaveChangesAsync(cancellationToken);
        await audit.WriteAsync("invitation.created", $"{email} as {Name(role)}, expires {invitation.ExpiresAtUtc:u}", cancellationToken);
        return (invitation, token);
    }

    /// <summary>The current workspace's invitations, newest first (never their tokens).</summary>
    public async Task<List<Invitation>> ListAsync(CancellationToken cancellationToken = default)
    {
        await access.RequireAsync(ApiScopes.MembersManage, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Invitations.AsNoTracking().OrderByDescending(i => i.CreatedAtUtc).Take(200).ToListAsync(cancellationToken);
    }

    /// <summary>False when the current workspace has no such open invitation.</summary>
    public async Task<bool> RevokeAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await access.RequireAsync(ApiScopes.MembersManage, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var invitation = await db.Invitations.SingleOrDefaultAsync(i => i.Id == id && i.AcceptedAtUtc == null && i.RevokedAtUtc == null, cancellationToken);
        if (invitation is null)
        {
            return false;
        }
        invitation.RevokedAtUtc = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        await audit.WriteAsync("invitation.revoked", invitation.Email, cancellationToken);
        return true;
    }

    /// <summary>An open invitation for this token, or null (unknown, used, revoked or expired).</summary>
    public async Task<Preview?> FindOpenAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 256)
        {
            return null;
        }
        var hash = ApiKeyService.Hash(token);
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = system.CreateDbContext();
        return await db.Invitations.AsNoTracking()
            .Where(i => i.TokenHash == hash && i.AcceptedAtUtc == null && i.RevokedAtUtc == null && i.ExpiresAtUtc > now)
            .Join(db.Workspaces, i => i.WorkspaceId, w => w.Id, (i, w) => new Preview(i.Id, w.Id, w.Name, i.Email, i.Role, i.ExpiresAtUtc))
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// Makes the user a member with the invitation's role (an existing membership keeps its role) and their current
    /// workspace. Returns an error message, or null when accepted.
    /// </summary>
    public async Task<string?> AcceptAsync(string? token, string userId, string userEmail, CancellationToken cancellationToken = default)
    {
        if (await FindOpenAsync(token, cancellationToken) is not { } open)
        {
            return "this invitation link is not valid: it was used, revoked or has expired; ask the workspace owner for a new one";
        }
        if (!string.Equals(open.Email, userEmail, StringComparison.OrdinalIgnoreCase))
        {
            return $"this invitation is for {open.Email}; sign in with that address";
        }
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = system.CreateDbContext();
        var claimed = await db.Invitations
            .Where(i => i.Id == open.InvitationId && i.AcceptedAtUtc == null && i.RevokedAtUtc == null && i.ExpiresAtUtc > now)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.AcceptedAtUtc, now).SetProperty(i => i.AcceptedByUserId, userId), cancellationToken);
        if (claimed != 1)
        {
            return "this invitation link was used a moment ago";
        }
        if (!await db.WorkspaceMembers.AnyAsync(m => m.WorkspaceId == open.WorkspaceId && m.UserId == userId, cancellationToken))
        {
            db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = open.WorkspaceId, UserId = userId, Role = open.Role });
            await db.SaveChangesAsync(cancellationToken);
        }
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.CurrentWorkspaceId, open.WorkspaceId), cancellationToken);
        await audit.WriteForAsync(open.WorkspaceId, userEmail, "invitation.accepted", $"{userEmail} joined as {Name(open.Role)}", cancellationToken);
        return null;
    }

    public static string Name(WorkspaceRole role) => role.ToString().ToLowerInvariant();
}

/// <summary>The <c>LayerLens:Invitations</c> section.</summary>
public sealed class InvitationSettings
{
    public int ValidHours { get; set; } = 7 * 24;

    public TimeSpan Validity => TimeSpan.FromHours(Math.Max(1, ValidHours));
}
