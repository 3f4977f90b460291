using Hangfire.Dashboard;

namespace LayerLens.Web.Jobs;

/// <summary>The job dashboard shows job arguments; by default only this machine may open it.</summary>
public sealed class DashboardAccessFilter(bool allowRemote) : IDashboardAuthorizationFilter
{
    private static readonly LocalRequestsOnlyAuthorizationFilter LocalOnly = new();

    public bool Authorize(DashboardContext context) => allowRemote || LocalOnly.Authorize(context);
}
