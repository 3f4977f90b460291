namespace LayerLens.Web.Tenancy;

/// <summary>
/// The signed-in user's memberships, read from the database at most once per request or Blazor circuit (a DI
/// scope): the workspace middleware and the app bar's switcher share the one lookup. Explicit re-reads (sign-in,
/// switching) use <see cref="Memberships"/> directly.
/// </summary>
public sealed class ScopeMemberships(Memberships memberships)
{
    private string? _userId;
    private Memberships.Resolved? _resolved;

    public async Task<Memberships.Resolved> ResolveAsync(string userId, CancellationToken cancellationToken = default)
    {
        if (_resolved is not null && _userId == userId)
        {
            return _resolved;
        }
        var resolved = await memberships.ResolveAsync(userId, cancellationToken);
        (_userId, _resolved) = (userId, resolved);
        return resolved;
    }
}
