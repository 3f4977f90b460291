using Microsoft.EntityFrameworkCore;

namespace LayerLens.Data.Tenancy;

/// <summary>The factory requests and pages use: every context it makes is filtered by the scope's workspace.</summary>
public sealed class WorkspaceDbContextFactory(SystemDbContextFactory system, IWorkspaceScope scope) : IDbContextFactory<AppDbContext>
{
    public AppDbContext CreateDbContext()
    {
        var db = system.CreateUnfiltered();
        db.CurrentWorkspaceId = scope.WorkspaceId;
        return db;
    }
}
