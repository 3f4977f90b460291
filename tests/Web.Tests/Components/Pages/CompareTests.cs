using Bunit;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Images;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.Data;
using LayerLens.Data.Model;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Components.Pages;
using LayerLens.Web.Configuration;
using LayerLens.Web.Storage;
using LayerLens.Analyzer.FileTree.Stored;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace LayerLens.Web.Tests.Components.Pages;

/// <summary>
/// Two versions of one image, really analysed, their tree files written as a job writes them: the
/// Compare page shows what changed between them as a user reads it.
/// </summary>
public sealed class CompareTests : MudComponentTest, IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("layerlens-compare-").FullName;
    private DataLayout _layout = null!;
    private Guid _v1;
    private Guid _v2;

    // v1: one layer, four files.
    //   etc/os-release 100 B, app/main.js 10 B, app/old/a.js 1 B, app/old/b.js 2 B
    private static SyntheticImage Version1() => new(new LayerTarBuilder()
        .Dir("etc").File("etc/os-release", 100, seed: 1)
        .Dir("app").File("app/main.js", 10, seed: 2)
        .Dir("app/old").File("app/old/a.js", 1, seed: 3).File("app/old/b.js", 2, seed: 4)
        .Build());

    // v2: app/old gone, main.js grew to 12 B, app/new/{c.js 3 B, d.js 4 B}; a 500 B cache written in
    // layer 0 and deleted in layer 1 (shipped, never visible: waste), and readme 7 B added in layer 1.
    private static SyntheticImage Version2() => new(
        new LayerTarBuilder()
            .Dir("etc").File("etc/os-release", 100, seed: 1)
            .Dir("app").File("app/main.js", 12, seed: 5)
            .Dir("app/new").File("app/new/c.js", 3, seed: 6).File("app/new/d.js", 4, seed: 7)
            .Dir("tmp").File("tmp/cache.bin", 500, seed: 8)
            .Build(),
        new LayerTarBuilder().Whiteout("tmp").File("readme", 7, seed: 9).Build());

    public new async Task InitializeAsync()
    {
        _layout = new DataLayout(new ResolvedSettings(_data, DatabaseProvider.Sqlite, Database.ConnectionString, JobStorageProvider.Embedded, "", false));
        Context.Services.AddSingleton(_layout);
        // The page reads tree files and reports through the store: here the data directory, as the app's default.
        Context.Services.AddSingleton<LayerLens.Web.Storage.IArtifactStore>(new LayerLens.Web.Storage.LocalArtifactStore(new LayerLens.Data.Blobs.BlobStore(_data), _layout));
        _v1 = await AnalyseAsync(Version1(), "registry.local/shop:1", new DateTime(2026, 5, 1, 0, 0, 0, DateTimeKind.Utc));
        _v2 = await AnalyseAsync(Version2(), "registry.local/shop:2", new DateTime(2026, 5, 2, 0, 0, 0, DateTimeKind.Utc));
    }

    /// <summary>Analyses the image and stores its row and tree file the way the analysis job does.</summary>
    private async Task<Guid> AnalyseAsync(SyntheticImage image, string reference, DateTime created)
    {
        var archive = Path.Combine(_data, Guid.NewGuid().ToString("N") + ".tar");
        image.WriteDockerArchiveClassic(archive);
        ImageAnalysis result;
        using (var opened = await ImageOpener.OpenAsync(archive, new ImageOpenOptions()))
        {
            result = await ImageAnalyzer.AnalyzeAsync(opened);
        }
        var row = new Analysis
        {
            SourceReference = reference,
            Status = AnalysisStatus.Succeeded,
            CreatedAtUtc = created,
            Image = new ImageResult
            {
                SizeBytes = result.SizeBytes,
                FinalBytes = result.FinalBytes,
                WastedBytes = result.WastedBytes,
                DuplicateBytes = result.DuplicateBytes,
                Efficiency = result.Efficiency,
                FileCount = result.FileCount,
                LayerCount = result.Layers.Count,
            },
        };
        await using (var db = Database.Provider.GetRequiredService<SystemDbContextFactory>().ForWorkspace(Database.WorkspaceId))
        {
            db.Analyses.Add(row);
            await db.SaveChangesAsync();
        }
        Directory.CreateDirectory(_layout.ResultDirectory(row.Id));
        TreeFileWriter.Write(result.Tree, result.Waste, _layout.TreeFileOf(row.Id, row.RunId));
        return row.Id;
    }

    private IRenderedComponent<Compare> Open()
    {
        Context.Services.GetRequiredService<NavigationManager>().NavigateTo($"/compare?a={_v1}&b={_v2}");
        var page = Context.Render<Compare>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=compare-totals]")), TimeSpan.FromSeconds(10));
        return page;
    }

    private static string Text(IRenderedComponent<Compare> page, string testId) => page.Find($"[data-testid={testId}]").TextContent.Trim();

    [Fact]
    public void Size_and_waste_deltas_are_the_differences_of_the_two_images()
    {
        var page = Open();

        // Sizes (sum of regular files shipped): v1 100+10+1+2 = 113 B; v2 100+12+3+4+500 + 7 = 626 B.
        Assert.Equal("+513 B", Text(page, "delta-size"));
        // Visible in the final filesystem: v1 113 B; v2 100+12+3+4+7 = 126 B.
        Assert.Equal("+13 B", Text(page, "delta-final"));
        // Dead bytes: v1 none, v2 the deleted 500 B cache.
        Assert.Equal("+500 B", Text(page, "delta-wasted"));
        Assert.Equal("0 B", Text(page, "delta-duplicates"));
        // Efficiency: 113/113 = 100 % → 126/626 = 20.1 %, i.e. −79.9 points.
        Assert.Equal("−79.9 points", Text(page, "delta-efficiency"));
        // Visible files: 4 → 5.
        Assert.Equal("+1", Text(page, "delta-files"));
    }

    [Fact]
    public void Added_removed_and_changed_files_are_listed_with_their_sizes()
    {
        var page = Open();

        Assert.Equal("3 added (14 B) · 2 removed (3 B) · 1 changed", string.Join(' ', Text(page, "compare-totals").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
        var rows = page.FindAll("[data-testid=compare-row]")
            .Select(r => (Path: r.GetAttribute("data-path"), Change: r.GetAttribute("data-change"), Text: r.TextContent))
            .ToList();
        Assert.Equal(
            [("app/main.js", "changed"), ("app/new", "added"), ("app/old", "removed"), ("readme", "added")],
            rows.Select(r => (r.Path, r.Change)));
        // The grown file shows its old and new size; whole directories are one row with their file count.
        Assert.Contains("10 B", rows[0].Text, StringComparison.Ordinal);
        Assert.Contains("12 B", rows[0].Text, StringComparison.Ordinal);
        Assert.Contains("/app/new/ (2 files)", rows[1].Text, StringComparison.Ordinal);
        Assert.Contains("/app/old/ (2 files)", rows[2].Text, StringComparison.Ordinal);
        // The deleted cache was never in either final filesystem: not a difference.
        Assert.DoesNotContain(rows, r => r.Path!.StartsWith("tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void The_added_filter_shows_only_what_the_new_version_added()
    {
        var page = Open();

        page.FindAll(".mud-chip").Single(c => c.TextContent.Trim() == "Added").Click();

        page.WaitForAssertion(() => Assert.Equal(
            ["app/new", "readme"],
            page.FindAll("[data-testid=compare-row]").Select(r => r.GetAttribute("data-path"))));
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
