using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace LayerLens.Web.Tenancy;

/// <summary>
/// A Blazor circuit has no HttpContext after it starts: its workspace comes from the circuit's authentication state
/// when it opens, and is re-read from the database (<see cref="Memberships"/>, one query) before every inbound
/// activity the circuit handles (a click, a navigation, a JS callback). A member removed or demoted while their tab
/// is open therefore reads with their current rights from their next event on: the pages' database reads filter by
/// the workspace they are still in (none when they are in none), and role-gated content follows the new scopes.
/// </summary>
public sealed class WorkspaceCircuitHandler(AuthenticationStateProvider authentication, WorkspaceContext workspace, Memberships memberships)
    : CircuitHandler, IDisposable
{
    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        workspace.SetFrom((await authentication.GetAuthenticationStateAsync()).User);
        authentication.AuthenticationStateChanged += OnChanged;
    }

    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) =>
        async context =>
        {
            await RefreshAsync();
            await next(context);
        };

    /// <summary>Re-reads the signed-in user's membership and moves the circuit's context to it (API keys never open circuits).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        if (workspace.UserId is not { } userId || workspace.ApiKeyId is not null)
        {
            return;
        }
        workspace.Follow((await memberships.ResolveAsync(userId, cancellationToken)).Current);
    }

    private void OnChanged(Task<AuthenticationState> state) =>
        state.ContinueWith(t => workspace.SetFrom(t.Result.User), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    public void Dispose() => authentication.AuthenticationStateChanged -= OnChanged;
}
