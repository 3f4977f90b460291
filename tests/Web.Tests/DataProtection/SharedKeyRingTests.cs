using System.Security.Cryptography;
using LayerLens.Data;
using LayerLens.Data.Tenancy;
using LayerLens.Web.DataProtection;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace LayerLens.Web.Tests.DataProtection;

/// <summary>
/// The key ring lives in the database, so processes on separate data directories share it, and keys an older
/// install kept in <c>&lt;data&gt;/keys</c> are imported so what they protected still unprotects. Each "process"
/// is its own service provider wired as Program.cs wires it (the real SQLite database, the real key repository).
/// </summary>
public sealed class SharedKeyRingTests : IDisposable
{
    private const string Purpose = "LayerLens.Tests.SharedKeyRing";
    private readonly string _directory = Directory.CreateTempSubdirectory("layerlens-keyring-").FullName;

    [Fact]
    public void A_secret_protected_by_one_process_unprotects_in_another_on_its_own_data_directory()
    {
        using var database = new TestDatabase();
        using var web = Process(database);
        using var worker = Process(database);

        var protectedSecret = web.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Protect("registry password");

        Assert.Equal("registry password", worker.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Unprotect(protectedSecret));
    }

    [Fact]
    public async Task A_secret_protected_with_the_old_file_system_key_ring_unprotects_after_the_import()
    {
        var keys = Path.Combine(_directory, "keys");
        var protectedSecret = ProtectWithFileSystemRing(keys, "webhook secret");
        using var database = new TestDatabase();

        using (var db = database.Provider.GetRequiredService<SystemDbContextFactory>().CreateDbContext())
        {
            Assert.Equal(1, await LegacyKeyImport.ImportAsync(db, keys, NullLogger.Instance));
        }
        using var upgraded = Process(database);

        Assert.Equal("webhook secret", upgraded.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Unprotect(protectedSecret));
    }

    [Fact]
    public void Without_the_import_the_database_ring_cannot_unprotect_what_the_old_ring_protected()
    {
        // The reason the import exists: the database ring alone does not know the old keys.
        var protectedSecret = ProtectWithFileSystemRing(Path.Combine(_directory, "keys"), "webhook secret");
        using var database = new TestDatabase();
        using var upgraded = Process(database);

        Assert.ThrowsAny<CryptographicException>(() => upgraded.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Unprotect(protectedSecret));
    }

    [Fact]
    public async Task Importing_again_adds_nothing_and_a_damaged_key_file_is_skipped_without_stopping_the_start()
    {
        var keys = Path.Combine(_directory, "keys");
        ProtectWithFileSystemRing(keys, "x");
        await File.WriteAllTextAsync(Path.Combine(keys, "key-00000000-0000-0000-0000-000000000001.xml"), "<key id=\"unterminated");
        await File.WriteAllTextAsync(Path.Combine(keys, "key-00000000-0000-0000-0000-000000000002.xml"), "<notakey />");
        using var database = new TestDatabase();
        using var db = database.Provider.GetRequiredService<SystemDbContextFactory>().CreateDbContext();

        Assert.Equal(1, await LegacyKeyImport.ImportAsync(db, keys, NullLogger.Instance));
        Assert.Equal(0, await LegacyKeyImport.ImportAsync(db, keys, NullLogger.Instance));
        Assert.Equal(1, await db.DataProtectionKeys.CountAsync());
    }

    [Fact]
    public async Task A_data_directory_without_keys_imports_nothing()
    {
        using var database = new TestDatabase();
        using var db = database.Provider.GetRequiredService<SystemDbContextFactory>().CreateDbContext();

        Assert.Equal(0, await LegacyKeyImport.ImportAsync(db, Path.Combine(_directory, "missing"), NullLogger.Instance));
        Assert.Equal(0, await db.DataProtectionKeys.CountAsync());
    }

    /// <summary>A process as Program.cs wires it: the shared database and the key ring kept in it.</summary>
    private static ServiceProvider Process(TestDatabase database)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddLayerLensData(DatabaseProvider.Sqlite, database.ConnectionString);
        services.AddScoped<IWorkspaceScope>(_ => new NoWorkspace());
        services.AddLayerLensDataProtection();
        return services.BuildServiceProvider();
    }

    /// <summary>What the app did before the shared ring: keys in the data directory, the same application name.</summary>
    private static string ProtectWithFileSystemRing(string keys, string secret)
    {
        var services = new ServiceCollection();
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(keys)).SetApplicationName(SharedKeyRing.ApplicationName);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Protect(secret);
    }

    private sealed class NoWorkspace : IWorkspaceScope
    {
        public Guid? WorkspaceId => null;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
