using Microsoft.EntityFrameworkCore;

namespace LayerLens.Data.Tenancy;

/// <summary>
/// Contexts for background work (jobs, start-up, key lookup) that sees every workspace. Requests never
/// get it through <see cref="IDbContextFactory{TContext}"/>; it has to be asked for by name.
/// </summary>
public sealed class SystemDbContextFactory(Func<AppDbContext> create)
{
    /// <summary>A context over all workspaces (its writes keep the workspace each row already has).</summary>
    public AppDbContext CreateDbContext()
    {
        var db = create();
        db.AllWorkspaces = true;
        return db;
    }

    public Task<AppDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) => Task.FromResult(CreateDbContext());

    /// <summary>A context acting for one workspace, as a request of that workspace would.</summary>
    public AppDbContext ForWorkspace(Guid workspaceId)
    {
        var db = create();
        db.CurrentWorkspaceId = workspaceId;
        return db;
    }

    internal AppDbContext CreateUnfiltered() => create();
}
