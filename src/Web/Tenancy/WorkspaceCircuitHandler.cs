using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace LayerLens.Web.Tenancy;

/// <summary>A Blazor circuit has no HttpContext after it starts: its workspace comes from the circuit's authentication state.</summary>
public sealed class WorkspaceCircuitHandler(AuthenticationStateProvider authentication, WorkspaceContext workspace) : CircuitHandler, IDisposable
{
    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        workspace.SetFrom((await authentication.GetAuthenticationStateAsync()).User);
        authentication.AuthenticationStateChanged += OnChanged;
    }

    private void OnChanged(Task<AuthenticationState> state) =>
        state.ContinueWith(t => workspace.SetFrom(t.Result.User), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    public void Dispose() => authentication.AuthenticationStateChanged -= OnChanged;
}
