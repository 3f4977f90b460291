using System.Security.Claims;
using LayerLens.Data.Tenancy;

namespace LayerLens.Web.Tenancy;

/// <summary>
/// Who acts, for which workspace, with which scopes: set once per request (from the authenticated
/// principal) or per Blazor circuit. The data layer filters every workspace query by <see cref="WorkspaceId"/>.
/// </summary>
public sealed class WorkspaceContext : IWorkspaceScope
{
    private HashSet<string> _scopes = [];

    public Guid? WorkspaceId { get; private set; }

    /// <summary>A user's email or <c>key:NAME</c>, for the audit log.</summary>
    public string Actor { get; private set; } = "anonymous";

    public Guid? ApiKeyId { get; private set; }

    public string? UserId { get; private set; }

    public bool Has(string scope) => _scopes.Contains(scope);

    /// <summary>
    /// The workspace this context was opened for, when a later re-read (<see cref="Follow"/>) found the user no longer
    /// in it: pages then say so instead of showing another workspace's (or no) data unannounced.
    /// </summary>
    public Guid? LostWorkspaceId { get; private set; }

    /// <summary>Raised when <see cref="Follow"/> changed the workspace or the scopes (a Blazor circuit re-renders its page).</summary>
    public event Action? Changed;

    public void SetFrom(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true || !Guid.TryParse(user.FindFirstValue(LayerLensClaims.Workspace), out var workspace))
        {
            WorkspaceId = null;
            _scopes = [];
            // A signed-in user with no workspace yet is still followed by a circuit (they may be added later).
            UserId = user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;
            return;
        }
        WorkspaceId = workspace;
        _scopes = user.FindAll(LayerLensClaims.Scope).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        Actor = user.FindFirstValue(LayerLensClaims.Actor) ?? user.Identity.Name ?? "unknown";
        ApiKeyId = Guid.TryParse(user.FindFirstValue(LayerLensClaims.ApiKey), out var key) ? key : null;
        UserId = user.FindFirstValue(ClaimTypes.NameIdentifier);
    }

    /// <summary>
    /// A signed-in user's role as the database holds it now (<see cref="WorkspaceAccess"/>): the scopes become that
    /// role's; null (no longer a member) leaves none. API-key contexts keep their key's scopes.
    /// </summary>
    public void ApplyRole(LayerLens.Data.Model.Workspaces.WorkspaceRole? role)
    {
        if (ApiKeyId is not null)
        {
            return;
        }
        _scopes = role is { } current ? ApiScopes.ForRole(current).ToHashSet(StringComparer.Ordinal) : [];
    }

    /// <summary>
    /// A signed-in user's membership as the database holds it now (<see cref="Memberships.ResolveAsync"/>): the workspace
    /// and the role's scopes become <paramref name="current"/>'s; null (a member of no workspace) leaves no workspace, so
    /// the data filter matches nothing. API-key contexts are bound to their key and do not follow.
    /// </summary>
    public void Follow(Memberships.Choice? current)
    {
        if (ApiKeyId is not null)
        {
            return;
        }
        var scopes = current is null ? [] : ApiScopes.ForRole(current.Role).ToHashSet(StringComparer.Ordinal);
        if (current?.WorkspaceId == WorkspaceId && scopes.SetEquals(_scopes))
        {
            return;
        }
        if (WorkspaceId is { } previous && current?.WorkspaceId != previous)
        {
            LostWorkspaceId = previous;
        }
        WorkspaceId = current?.WorkspaceId;
        _scopes = scopes;
        Changed?.Invoke();
    }

    /// <summary>For work done on a workspace's behalf outside a request (registry hooks, bootstrap).</summary>
    public void Set(Guid workspaceId, string actor, params string[] scopes)
    {
        WorkspaceId = workspaceId;
        Actor = actor;
        _scopes = scopes.ToHashSet(StringComparer.Ordinal);
    }
}
