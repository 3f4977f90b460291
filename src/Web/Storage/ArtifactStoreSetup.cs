using LayerLens.Web.Configuration;

namespace LayerLens.Web.Storage;

public static class ArtifactStoreSetup
{
    /// <summary>The store <c>LayerLens:Storage:Provider</c> names, one per process.</summary>
    public static IServiceCollection AddArtifactStore(this IServiceCollection services, ResolvedSettings settings)
    {
        switch (settings.Storage.Provider)
        {
            case StorageProvider.Local:
                services.AddSingleton<IArtifactStore, LocalArtifactStore>();
                break;
            case StorageProvider.Registry:
                services.AddSingleton<IArtifactStore, Registry.RegistryArtifactStore>();
                break;
            default:
                throw new InvalidOperationException($"LayerLens:Storage:Provider {settings.Storage.Provider} is not known");
        }
        return services;
    }
}
