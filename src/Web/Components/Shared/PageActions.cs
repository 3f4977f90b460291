using LayerLens.Web.Tenancy;
using MudBlazor;

namespace LayerLens.Web.Components.Shared;

/// <summary>
/// Page actions go through the same services as the API, and those check the scope themselves
/// (<see cref="WorkspaceAccess"/>). A refusal is shown as a snackbar instead of breaking the circuit.
/// </summary>
public static class PageActions
{
    /// <summary>Runs <paramref name="action"/>; false when the service refused it (the snackbar says why).</summary>
    public static async Task<bool> TryAsync(this ISnackbar snackbar, Func<Task> action)
    {
        try
        {
            await action();
            return true;
        }
        catch (ScopeDeniedException ex)
        {
            snackbar.Add(ex.Message, Severity.Error);
            return false;
        }
        catch (LayerLens.Web.Limits.QuotaExceededException ex)
        {
            snackbar.Add(ex.Message, Severity.Warning);
            return false;
        }
    }
}
