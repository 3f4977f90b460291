using LayerLens.Data;
using LayerLens.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LayerLens.Data.Tests;

public sealed class SqliteMigrationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("layerlens-data-").FullName;

    [Fact]
    public async Task A_fresh_sqlite_database_migrates_and_round_trips_an_analysis_with_its_project()
    {
        await using var services = new ServiceCollection()
            .AddLayerLensData(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(_directory, "fresh.db")};Pooling=False")
            .BuildServiceProvider();

        await DataRoundTrip.RunAsync(services);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
