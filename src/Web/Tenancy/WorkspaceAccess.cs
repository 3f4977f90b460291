using LayerLens.Data.Model.Workspaces;
using LayerLens.Data.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Tenancy;

/// <summary>
/// The authorization check every service runs before an action, whoever calls it (an API endpoint or a page).
/// A signed-in user's role is read from the database on each check (one indexed lookup by the membership's key),
/// not taken from what the request or the Blazor circuit captured when it started: a member removed or demoted
/// while their tab is open loses the right at their next action. API keys act with their own fixed scopes.
/// </summary>
public sealed class WorkspaceAccess(WorkspaceContext workspace, SystemDbContextFactory system)
{
    /// <summary>The current workspace when the actor holds <paramref name="scope"/> in it now; else <see cref="ScopeDeniedException"/>.</summary>
    public async Task<Guid> RequireAsync(string scope, CancellationToken cancellationToken = default)
    {
        if (workspace.WorkspaceId is not { } id)
        {
            throw new ScopeDeniedException(scope, "you are not signed in to a workspace");
        }
        if (workspace.UserId is { } userId && workspace.ApiKeyId is null)
        {
            await using var db = system.CreateDbContext();
            var role = await db.WorkspaceMembers.AsNoTracking()
                .Where(m => m.WorkspaceId == id && m.UserId == userId)
                .Select(m => (WorkspaceRole?)m.Role)
                .FirstOrDefaultAsync(cancellationToken);
            // The circuit's view follows too, so its pages stop offering what the user lost.
            workspace.ApplyRole(role);
            if (role is null)
            {
                throw new ScopeDeniedException(scope, "you are no longer a member of this workspace; reload the page");
            }
        }
        if (!workspace.Has(scope))
        {
            throw new ScopeDeniedException(scope, $"your role in this workspace does not allow this (it needs '{scope}')");
        }
        return id;
    }
}
