using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LayerLens.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="AppDbContext"/> (and a factory for it) backed by the chosen provider.
    /// The provider-specific subclass carries that provider's migrations.
    /// </summary>
    public static IServiceCollection AddLayerLensData(this IServiceCollection services, DatabaseProvider provider, string connectionString)
    {
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                services.AddDbContextFactory<SqliteAppDbContext>(o => o.UseSqlite(connectionString));
                services.AddSingleton<IDbContextFactory<AppDbContext>, Factory<SqliteAppDbContext>>();
                break;
            case DatabaseProvider.PostgreSql:
                services.AddDbContextFactory<PostgresAppDbContext>(o => o.UseNpgsql(connectionString));
                services.AddSingleton<IDbContextFactory<AppDbContext>, Factory<PostgresAppDbContext>>();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown database provider.");
        }

        services.AddScoped<AppDbContext>(sp => sp.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext());
        return services;
    }

    /// <summary>Hands out the provider's context as the common base type.</summary>
    private sealed class Factory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<AppDbContext>
        where TContext : AppDbContext
    {
        public AppDbContext CreateDbContext() => inner.CreateDbContext();
    }
}
