using LayerLens.Data;
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
        Provider = services.BuildServiceProvider();
        using var db = Factory.CreateDbContext();
        db.Database.Migrate();
    }

    public string ConnectionString => $"Data Source={Path.Combine(_directory, "test.db")};Pooling=False";

    public ServiceProvider Provider { get; }

    public IDbContextFactory<AppDbContext> Factory => Provider.CreateScope().ServiceProvider.GetRequiredService<IDbContextFactory<AppDbContext>>();

    public void Dispose()
    {
        Provider.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
