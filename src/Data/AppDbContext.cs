using LayerLens.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Data;

/// <summary>
/// The product's relational model. Each provider has a subclass so that each keeps its own
/// migrations (SQLite and PostgreSQL differ in types and DDL).
/// </summary>
public abstract class AppDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Project> Projects => Set<Project>();

    public DbSet<Analysis> Analyses => Set<Analysis>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Project>(project =>
        {
            project.Property(p => p.Name).HasMaxLength(512);
            project.HasIndex(p => p.Name).IsUnique();
        });

        modelBuilder.Entity<Analysis>(analysis =>
        {
            analysis.Property(a => a.SourceReference).HasMaxLength(2048);
            analysis.Property(a => a.ImageDigest).HasMaxLength(128);
            analysis.Property(a => a.Error).HasMaxLength(8192);
            analysis.Property(a => a.Kind).HasConversion<string>().HasMaxLength(32);
            analysis.Property(a => a.SourceKind).HasConversion<string>().HasMaxLength(32);
            analysis.Property(a => a.Status).HasConversion<string>().HasMaxLength(32);
            analysis.Property(a => a.Name).HasMaxLength(512);
            analysis.Property(a => a.Platform).HasMaxLength(64);
            analysis.Property(a => a.InputDigest).HasMaxLength(80);
            analysis.Property(a => a.ContextDigest).HasMaxLength(80);
            analysis.Property(a => a.BuildLogDigest).HasMaxLength(80);
            analysis.Property(a => a.ProtectedCredentials).HasMaxLength(4096);
            analysis.Property(a => a.ProgressPhase).HasMaxLength(64);
            analysis.Ignore(a => a.DisplayName);
            analysis.HasOne(a => a.Project).WithMany(p => p.Analyses).OnDelete(DeleteBehavior.SetNull);
            // Lists are newest first, often filtered by status (the dashboard, the job recovery).
            analysis.HasIndex(a => a.CreatedAtUtc);
            analysis.HasIndex(a => a.Status);
        });
    }
}

public sealed class SqliteAppDbContext(DbContextOptions<SqliteAppDbContext> options) : AppDbContext(options);

public sealed class PostgresAppDbContext(DbContextOptions<PostgresAppDbContext> options) : AppDbContext(options);
