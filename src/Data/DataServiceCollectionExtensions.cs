using LayerLens.Data.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LayerLens.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="AppDbContext"/> backed by the chosen provider (the provider-specific subclass
    /// carries its migrations). <see cref="IDbContextFactory{AppDbContext}"/> is scoped and filtered by the
    /// scope's <see cref="IWorkspaceScope"/> (register one); <see cref="SystemDbContextFactory"/> is for background work.
    /// </summary>
    public static IServiceCollection AddLayerLensData(this IServiceCollection services, DatabaseProvider provider, string connectionString)
    {
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                services.AddDbContextFactory<SqliteAppDbContext>(o => o.UseSqlite(connectionString));
                services.AddSingleton(sp => new SystemDbContextFactory(sp.GetRequiredService<IDbContextFactory<SqliteAppDbContext>>().CreateDbContext));
                break;
            case DatabaseProvider.PostgreSql:
                services.AddDbContextFactory<PostgresAppDbContext>(o => o.UseNpgsql(connectionString));
                services.AddSingleton(sp => new SystemDbContextFactory(sp.GetRequiredService<IDbContextFactory<PostgresAppDbContext>>().CreateDbContext));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown database provider.");
        }

        services.AddScoped<IDbContextFactory<AppDbContext>, WorkspaceDbContextFactory>();
        // Identity's stores use this one; users are not workspace rows, and workspace rows stay filtered.
        services.AddScoped<AppDbContext>(sp => sp.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext());
        return services;
    }
}
