using LayerLens.Data.Model;
using LayerLens.Data.Model.Workspaces;
using LayerLens.Data.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LayerLens.Data.Tests;

/// <summary>The same checks for every provider: migrations apply, and an analysis survives a round trip.</summary>
internal static class DataRoundTrip
{
    private sealed class WorkspaceFactory(SystemDbContextFactory system, Guid workspace)
    {
        public Task<AppDbContext> CreateDbContextAsync() => Task.FromResult(system.ForWorkspace(workspace));
    }

    public static async Task RunAsync(IServiceProvider services)
    {
        var system = services.GetRequiredService<SystemDbContextFactory>();
        var workspace = Guid.NewGuid();
        var other = Guid.NewGuid();
        await using (var db = system.CreateDbContext())
        {
            // The provider's migrations match the model: no model change is left without its migration.
            Assert.NotEmpty(db.Database.GetMigrations());
            Assert.False(db.Database.HasPendingModelChanges(), "the model differs from the provider's migrations: add a migration");
            await db.Database.MigrateAsync();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            db.Workspaces.AddRange(new Workspace { Id = workspace, Name = "one" }, new Workspace { Id = other, Name = "two" });
            await db.SaveChangesAsync();
        }
        var factory = new WorkspaceFactory(system, workspace);

        var created = new DateTime(2026, 11, 26, 12, 30, 15, DateTimeKind.Utc);
        var analysisId = Guid.NewGuid();
        var reviewId = Guid.NewGuid();
        await using (var db = await factory.CreateDbContextAsync())
        {
            var project = new Project { Name = "registry.local/team/api" };
            db.Analyses.Add(new Analysis
            {
                Id = analysisId,
                Project = project,
                Kind = AnalysisKind.Image,
                SourceKind = SourceKind.Registry,
                SourceReference = "registry.local/team/api:1.2",
                Status = AnalysisStatus.Succeeded,
                CreatedAtUtc = created,
                RequestedPlatform = "linux/arm64",
                Image = new ImageResult { Platform = "linux/arm64/v8", SizeBytes = 5_000_000_000, WastedBytes = 1_234_567_890, Efficiency = 0.753 },
            });
            db.Analyses.Add(new Analysis
            {
                Id = reviewId,
                Kind = AnalysisKind.Dockerfile,
                SourceKind = SourceKind.Dockerfile,
                SourceReference = "Dockerfile",
                Status = AnalysisStatus.Succeeded,
                BuildContextDigest = "sha256:" + new string('c', 64),
                Review = new ReviewResult { FindingCount = 3, WarningFindingCount = 2, StyleFindingCount = 1, ExpectedOriginalSeconds = 41.5, MeasuredEquivalent = true },
            });
            await db.SaveChangesAsync();
        }

        await using (var db = await factory.CreateDbContextAsync())
        {
            var loaded = await db.Analyses.Include(a => a.Project).SingleAsync(a => a.Id == analysisId);
            Assert.Equal("registry.local/team/api", loaded.Project!.Name);
            Assert.Equal(AnalysisStatus.Succeeded, loaded.Status);
            Assert.Equal(SourceKind.Registry, loaded.SourceKind);
            Assert.Equal(created, loaded.CreatedAtUtc);
            // The image result is its own row, loaded with the analysis without an Include.
            Assert.Equal("linux/arm64", loaded.RequestedPlatform);
            Assert.Equal("linux/arm64/v8", loaded.Image!.Platform);
            Assert.Equal(5_000_000_000, loaded.Image.SizeBytes);
            Assert.Equal(1_234_567_890, loaded.Image.WastedBytes);
            Assert.Equal(0.753, loaded.Image.Efficiency, 6);
            Assert.Null(loaded.Review);
            var review = await db.Analyses.SingleAsync(a => a.Id == reviewId);
            Assert.Null(review.Image);
            Assert.Equal("sha256:" + new string('c', 64), review.BuildContextDigest);
            Assert.Equal((3, 2, 1, 41.5, true), (review.Review!.FindingCount, review.Review.WarningFindingCount, review.Review.StyleFindingCount, review.Review.ExpectedOriginalSeconds, review.Review.MeasuredEquivalent));

            // Status is stored as text so both providers filter on it the same way.
            Assert.Equal(2, await db.Analyses.CountAsync(a => a.Status == AnalysisStatus.Succeeded));

            // Rows are the workspace's: a context of another workspace sees none of them.
            Assert.Equal(workspace, loaded.WorkspaceId);
            await using (var foreign = system.ForWorkspace(other))
            {
                Assert.False(await foreign.Analyses.AnyAsync(a => a.Id == analysisId));
                Assert.False(await foreign.Projects.AnyAsync());
                Assert.False(await foreign.Set<ImageResult>().AnyAsync(r => r.AnalysisId == analysisId));
                Assert.False(await foreign.Set<ReviewResult>().AnyAsync(r => r.AnalysisId == reviewId));
                foreign.Projects.Add(new Project { Name = "registry.local/team/api" });
                await foreign.SaveChangesAsync(); // the same name in another workspace is fine
            }

            // Project names are unique in a workspace: a second project with the same name is refused.
            db.Projects.Add(new Project { Name = "registry.local/team/api" });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }

        // Deleting an analysis the way the queue does (one statement on its own table) takes its result row along.
        await using (var db = await factory.CreateDbContextAsync())
        {
            Assert.Equal(1, await db.Analyses.Where(a => a.Id == analysisId).ExecuteDeleteAsync());
            Assert.Equal(0, await db.Set<ImageResult>().CountAsync(r => r.AnalysisId == analysisId));
        }
    }
}
