using LayerLens.Data;
using Microsoft.AspNetCore.DataProtection;

namespace LayerLens.Web.DataProtection;

/// <summary>
/// The Data Protection key ring every process shares: kept in the database (the one thing web and worker
/// processes on separate machines share), so a secret the web node protected — registry credentials, webhook
/// secrets, cookies — unprotects on any worker. One application name, so every process derives the same purposes.
/// </summary>
public static class SharedKeyRing
{
    public const string ApplicationName = "LayerLens";

    /// <summary>Where keys lived before the shared ring (per data directory); imported once by <see cref="LegacyKeyImport"/>.</summary>
    public static string LegacyDirectory(string dataDirectory) => Path.Combine(dataDirectory, "keys");

    public static IDataProtectionBuilder AddLayerLensDataProtection(this IServiceCollection services) =>
        services.AddDataProtection()
            .PersistKeysToDbContext<AppDbContext>()
            .SetApplicationName(ApplicationName);
}
