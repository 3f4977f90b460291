using LayerLens.Data;
using LayerLens.Data.Model.Workspaces;
using LayerLens.Data.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LayerLens.Web.Tests;

/// <summary>A migrated SQLite database in a temp file, the product's embedded default.</summary>
public sealed class TestDatabase : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("layerlens-web-tests-").FullName;

    public TestDatabase()
    {
        var services = new ServiceCollection();
        services.AddLayerLensData(DatabaseProvider.Sqlite, ConnectionString);
        services.AddSingleton<IWorkspaceScope>(new FixedScope(WorkspaceId));
        Provider = services.BuildServiceProvider();
        using var db = Provider.GetRequiredService<SystemDbContextFactory>().CreateDbContext();
        db.Database.Migrate();
        db.Workspaces.Add(new Workspace { Id = WorkspaceId, Name = "test" });
        db.SaveChanges();
    }

    /// <summary>The workspace the tests' contexts act for.</summary>
    public Guid WorkspaceId { get; } = Guid.NewGuid();

    public string ConnectionString => $"Data Source={Path.Combine(_directory, "test.db")};Pooling=False";

    public ServiceProvider Provider { get; }

    public IDbContextFactory<AppDbContext> Factory => Provider.CreateScope().ServiceProvider.GetRequiredService<IDbContextFactory<AppDbContext>>();

    private sealed record FixedScope(Guid? WorkspaceId) : IWorkspaceScope;

    public void Dispose()
    {
        Provider.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
