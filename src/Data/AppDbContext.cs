using LayerLens.Data.Model;
using LayerLens.Data.Model.Access;
using LayerLens.Data.Model.Audit;
using LayerLens.Data.Model.RegistryHooks;
using LayerLens.Data.Model.Webhooks;
using LayerLens.Data.Model.Workspaces;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Data;

/// <summary>
/// The product's relational model. Each provider has a subclass so that each keeps its own
/// migrations (SQLite and PostgreSQL differ in types and DDL).
/// Tenancy is one mechanism: every <see cref="IWorkspaceOwned"/> entity has a global query filter on
/// <see cref="CurrentWorkspaceId"/>, which the workspace-scoped factory sets; a context that knows no
/// workspace sees nothing. Only background work uses <see cref="AllWorkspaces"/>.
/// It also holds the Data Protection key ring, so every web and worker process shares one.
/// </summary>
public abstract class AppDbContext(DbContextOptions options) : IdentityUserContext<AppUser>(options), IDataProtectionKeyContext
{
    /// <summary>The workspace every query is filtered by; null matches no row.</summary>
    public Guid? CurrentWorkspaceId { get; set; }

    /// <summary>Unfiltered access for jobs and start-up work that act on rows by id.</summary>
    public bool AllWorkspaces { get; set; }

    public DbSet<Workspace> Workspaces => Set<Workspace>();

    public DbSet<WorkspaceMember> WorkspaceMembers => Set<WorkspaceMember>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<Webhook> Webhooks => Set<Webhook>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<RegistryPush> RegistryPushes => Set<RegistryPush>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<RegistryHostMapping> RegistryHostMappings => Set<RegistryHostMapping>();

    public DbSet<Project> Projects => Set<Project>();

    public DbSet<Analysis> Analyses => Set<Analysis>();

    public DbSet<FirstAdministrator> FirstAdministrators => Set<FirstAdministrator>();

    /// <summary>The ASP.NET Core Data Protection key ring shared by every process (not workspace rows).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>New workspace rows take the current workspace; a row of another workspace is never written.</summary>
    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampWorkspace();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampWorkspace();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    private void StampWorkspace()
    {
        foreach (var entry in ChangeTracker.Entries<IWorkspaceOwned>())
        {
            if (entry.State == EntityState.Added && entry.Entity.WorkspaceId == Guid.Empty && CurrentWorkspaceId is { } current)
            {
                entry.Entity.WorkspaceId = current;
            }
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted
                && !AllWorkspaces && entry.Entity.WorkspaceId != CurrentWorkspaceId)
            {
                throw new InvalidOperationException($"A {entry.Metadata.ClrType.Name} of another workspace cannot be written here.");
            }
        }
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<Workspace>(workspace =>
        {
            workspace.Property(w => w.Name).HasMaxLength(200);
            workspace.HasIndex(w => w.Name).IsUnique();
            workspace.HasMany(w => w.Members).WithOne(m => m.Workspace).HasForeignKey(m => m.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<WorkspaceMember>(member =>
        {
            member.HasKey(m => new { m.WorkspaceId, m.UserId });
            member.Property(m => m.Role).HasConversion<string>().HasMaxLength(16);
            member.HasOne<AppUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
            member.HasIndex(m => m.UserId);
        });
        builder.Entity<ApiKey>(key =>
        {
            key.Property(k => k.Name).HasMaxLength(200);
            key.Property(k => k.Prefix).HasMaxLength(32);
            key.Property(k => k.Hash).HasMaxLength(64);
            key.Property(k => k.Scopes).HasMaxLength(200);
            key.Property(k => k.CreatedBy).HasMaxLength(256);
            key.HasIndex(k => k.Hash).IsUnique();
            key.HasIndex(k => k.WorkspaceId);
            key.HasOne<Workspace>().WithMany().HasForeignKey(k => k.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<Webhook>(hook =>
        {
            hook.Property(h => h.Url).HasMaxLength(2048);
            hook.Property(h => h.Events).HasMaxLength(200);
            hook.Property(h => h.ProtectedSecret).HasMaxLength(4096);
            hook.HasIndex(h => h.WorkspaceId);
            hook.HasOne<Workspace>().WithMany().HasForeignKey(h => h.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<WebhookDelivery>(delivery =>
        {
            delivery.Property(d => d.Event).HasMaxLength(64);
            delivery.Property(d => d.State).HasConversion<string>().HasMaxLength(16);
            delivery.HasOne(d => d.Webhook).WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
            delivery.HasMany(d => d.Attempts).WithOne().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
            delivery.HasIndex(d => new { d.WebhookId, d.CreatedAtUtc });
        });
        builder.Entity<WebhookAttempt>(attempt => attempt.Property(a => a.Error).HasMaxLength(2048));
        builder.Entity<AuditEntry>(audit =>
        {
            audit.Property(a => a.Actor).HasMaxLength(256);
            audit.Property(a => a.Action).HasMaxLength(64);
            audit.Property(a => a.Detail).HasMaxLength(2048);
            audit.HasIndex(a => new { a.WorkspaceId, a.AtUtc });
            audit.HasOne<Workspace>().WithMany().HasForeignKey(a => a.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<RegistryPush>(push =>
        {
            push.Property(p => p.Repository).HasMaxLength(2048);
            push.Property(p => p.Digest).HasMaxLength(80);
            push.HasIndex(p => new { p.WorkspaceId, p.Repository, p.Digest }).IsUnique();
            push.HasOne<Workspace>().WithMany().HasForeignKey(p => p.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<Invitation>(invitation =>
        {
            invitation.Property(i => i.Email).HasMaxLength(256);
            invitation.Property(i => i.Role).HasConversion<string>().HasMaxLength(16);
            invitation.Property(i => i.TokenHash).HasMaxLength(64);
            invitation.Property(i => i.CreatedBy).HasMaxLength(256);
            invitation.Property(i => i.AcceptedByUserId).HasMaxLength(450);
            invitation.HasIndex(i => i.TokenHash).IsUnique();
            invitation.HasIndex(i => new { i.WorkspaceId, i.CreatedAtUtc });
            invitation.HasOne<Workspace>().WithMany().HasForeignKey(i => i.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<RegistryHostMapping>(mapping =>
        {
            mapping.Property(m => m.NotificationHost).HasMaxLength(512);
            mapping.Property(m => m.PullHost).HasMaxLength(512);
            mapping.HasIndex(m => new { m.WorkspaceId, m.NotificationHost }).IsUnique();
            mapping.HasOne<Workspace>().WithMany().HasForeignKey(m => m.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<FirstAdministrator>(first =>
        {
            first.ToTable("FirstAdministrator");
            first.Property(f => f.Id).ValueGeneratedNever();
            first.Property(f => f.UserId).HasMaxLength(450);
        });

        builder.Entity<Project>(project =>
        {
            project.Property(p => p.Name).HasMaxLength(512);
            project.Property(p => p.Policy).HasMaxLength(65536);
            project.Property(p => p.DefaultBranch).HasMaxLength(255).HasDefaultValue(Project.DefaultBranchName);
            project.Property(p => p.RegressionPolicy).HasMaxLength(65536);
            project.HasIndex(p => new { p.WorkspaceId, p.Name }).IsUnique();
            project.HasOne<Workspace>().WithMany().HasForeignKey(p => p.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Analysis>(analysis =>
        {
            analysis.Property(a => a.SourceReference).HasMaxLength(2048);
            analysis.Property(a => a.Error).HasMaxLength(8192);
            analysis.Property(a => a.Kind).HasConversion<string>().HasMaxLength(32);
            analysis.Property(a => a.SourceKind).HasConversion<string>().HasMaxLength(32);
            analysis.Property(a => a.Status).HasConversion<string>().HasMaxLength(32);
            analysis.Property(a => a.Name).HasMaxLength(512);
            analysis.Property(a => a.RequestedPlatform).HasMaxLength(64);
            analysis.Property(a => a.ArchiveImage).HasMaxLength(512);
            analysis.Property(a => a.ArchiveKind).HasMaxLength(16);
            analysis.Property(a => a.InputDigest).HasMaxLength(80);
            analysis.Property(a => a.DockerfileTextDigest).HasMaxLength(80);
            analysis.Property(a => a.BuildContextDigest).HasMaxLength(80);
            analysis.Property(a => a.BuildLogDigest).HasMaxLength(80);
            analysis.Property(a => a.ChangeHistoryDigest).HasMaxLength(80);
            analysis.Property(a => a.ProtectedCredentials).HasMaxLength(4096);
            analysis.Property(a => a.ProgressPhase).HasMaxLength(64);
            analysis.Property(a => a.DockerfilePath).HasMaxLength(1024);
            analysis.Property(a => a.CiConfig).HasMaxLength(65536);
            analysis.Property(a => a.VerdictFailures).HasMaxLength(1024);
            analysis.Property(a => a.Branch).HasMaxLength(255);
            analysis.Property(a => a.Commit).HasMaxLength(128);
            analysis.Property(a => a.BaselineBranch).HasMaxLength(255);
            analysis.Ignore(a => a.DisplayName);
            analysis.HasOne(a => a.Project).WithMany(p => p.Analyses).OnDelete(DeleteBehavior.SetNull);
            analysis.HasOne<Workspace>().WithMany().HasForeignKey(a => a.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
            // Lists are newest first, often filtered by status (the dashboard, the job recovery).
            analysis.HasIndex(a => a.CreatedAtUtc);
            analysis.HasIndex(a => a.Status);
            analysis.HasIndex(a => new { a.WorkspaceId, a.CreatedAtUtc });
            // Baselines: the latest analysis of a project on a branch.
            analysis.HasIndex(a => new { a.ProjectId, a.Branch, a.CreatedAtUtc });
            // Results are separate entities (1:1, sharing the analysis's key), not owned types: the job's conditional
            // updates and deletes (ExecuteUpdate/ExecuteDelete) stay on this one table, and a result row is written
            // once, in the transaction that finishes the run. Loading an analysis always brings its result along.
            analysis.HasOne(a => a.Image).WithOne().HasForeignKey<ImageResult>(r => r.AnalysisId).OnDelete(DeleteBehavior.Cascade);
            analysis.HasOne(a => a.Review).WithOne().HasForeignKey<ReviewResult>(r => r.AnalysisId).OnDelete(DeleteBehavior.Cascade);
            analysis.Navigation(a => a.Image).AutoInclude();
            analysis.Navigation(a => a.Review).AutoInclude();
        });
        builder.Entity<ImageResult>(image =>
        {
            image.ToTable("AnalysisImageResults");
            image.HasKey(r => r.AnalysisId);
            image.Property(r => r.ManifestDigest).HasMaxLength(128);
            image.Property(r => r.Platform).HasMaxLength(64);
        });
        builder.Entity<ReviewResult>(review =>
        {
            review.ToTable("AnalysisReviewResults");
            review.HasKey(r => r.AnalysisId);
        });

        FilterByWorkspace<Analysis>(builder);
        // A result row is its analysis's: visible only where the analysis is (it has no workspace column of its own).
        builder.Entity<ImageResult>().HasQueryFilter(r => AllWorkspaces || Analyses.Any(a => a.Id == r.AnalysisId && a.WorkspaceId == CurrentWorkspaceId));
        builder.Entity<ReviewResult>().HasQueryFilter(r => AllWorkspaces || Analyses.Any(a => a.Id == r.AnalysisId && a.WorkspaceId == CurrentWorkspaceId));
        FilterByWorkspace<Project>(builder);
        FilterByWorkspace<ApiKey>(builder);
        FilterByWorkspace<Webhook>(builder);
        FilterByWorkspace<WebhookDelivery>(builder);
        FilterByWorkspace<AuditEntry>(builder);
        FilterByWorkspace<RegistryPush>(builder);
        FilterByWorkspace<Invitation>(builder);
        FilterByWorkspace<RegistryHostMapping>(builder);
    }

    private void FilterByWorkspace<T>(ModelBuilder modelBuilder)
        where T : class, IWorkspaceOwned =>
        modelBuilder.Entity<T>().HasQueryFilter(e => AllWorkspaces || e.WorkspaceId == CurrentWorkspaceId);
}

public sealed class SqliteAppDbContext(DbContextOptions<SqliteAppDbContext> options) : AppDbContext(options);

public sealed class PostgresAppDbContext(DbContextOptions<PostgresAppDbContext> options) : AppDbContext(options);
