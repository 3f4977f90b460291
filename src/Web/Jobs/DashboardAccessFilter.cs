using Hangfire.Dashboard;
using LayerLens.Data.Model.Workspaces;
using LayerLens.Web.Tenancy;
using Microsoft.AspNetCore.Identity;

namespace LayerLens.Web.Jobs;

/// <summary>
/// The job dashboard shows every workspace's jobs and their arguments and can requeue or delete them: it is
/// only for the server's administrators (a signed-in account holding the <see cref="LayerLensClaims.Administrator"/>
/// claim in the account store, read on every request, so a revoked claim counts at once; an API key never
/// qualifies), and by default only from this machine. Everyone else gets 401 (not signed in) or 403.
/// "This machine" is the client address after the forwarded-headers step, which takes it from
/// X-Forwarded-For only when a loopback proxy sent it and only the entry that proxy appended: a client cannot
/// name itself local, and a proxy on this machine no longer makes every request local.
/// </summary>
public sealed class DashboardAccessFilter(bool allowRemote) : IDashboardAsyncAuthorizationFilter
{
    private static readonly LocalRequestsOnlyAuthorizationFilter LocalOnly = new();

    public async Task<bool> AuthorizeAsync(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var principal = http.User;
        if (principal.Identity?.IsAuthenticated != true || principal.HasClaim(c => c.Type == LayerLensClaims.ApiKey))
        {
            return false;
        }
        if (!allowRemote && !LocalOnly.Authorize(context))
        {
            return false;
        }
        var users = http.RequestServices.GetRequiredService<UserManager<AppUser>>();
        if (await users.GetUserAsync(principal) is not { } user)
        {
            return false;
        }
        return (await users.GetClaimsAsync(user)).Any(c => c.Type == LayerLensClaims.Administrator && c.Value == "true");
    }
}
