using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Web.Tests.LayerCache;

/// <summary>
/// The service's layer cache for uploaded images, through the real app and its analysis job. Workspace alpha
/// uploads an image whose first layer lists alpha's private files; workspace beta uploads archives whose
/// manifest and config name exactly alpha's layers (digests and diff_ids are no secret) while the layer bytes are
/// other, missing or cut short. Beta must learn nothing: each forged upload ends exactly as it did before alpha's
/// layers were cached (the cold run), and the job reused nothing for it.
/// </summary>
public sealed class UploadLayerCacheTests : IAsyncLifetime
{
    private static readonly byte[] AlphaPrivateLayer = new LayerTarBuilder()
        .Dir("alpha-private").File("alpha-private/merger-plans.txt", "alpha's plans").File("alpha-private/customers.csv", "a,b,c").Build();

    // Deleting the plans makes them waste, so the report itself names the private file (the JSON report lists no tree).
    private static readonly byte[] AlphaAppLayer = new LayerTarBuilder().Dir("app").File("app/run.sh", "#!/bin/sh\necho alpha\n")
        .Whiteout("alpha-private/merger-plans.txt").Build();

    private static readonly SyntheticImage Parent = new(AlphaPrivateLayer, AlphaAppLayer);

    private static readonly SyntheticImage Child = new(AlphaPrivateLayer, AlphaAppLayer, new LayerTarBuilder().File("app/version.txt", "2").Build());

    private LayerCacheApp _app = null!;

    public async Task InitializeAsync() => _app = await LayerCacheApp.StartAsync();

    public static TheoryData<string, LayerForgery> Forgeries => new()
    {
        { "docker-archive", LayerForgery.OtherBytes },
        { "docker-archive", LayerForgery.Missing },
        { "docker-archive", LayerForgery.Truncated },
        { "classic docker-archive", LayerForgery.OtherBytes },
        { "classic docker-archive", LayerForgery.Truncated },
    };

    private static byte[] Archive(string shape, SyntheticImage image, LayerForgery? forgery = null) =>
        shape == "classic docker-archive" ? ForgedArchive.ClassicDockerArchive(image, forgery) : ForgedArchive.DockerArchive(image, forgery);

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task An_upload_naming_another_workspaces_layers_without_their_bytes_learns_nothing_from_the_cache(string shape, LayerForgery forgery)
    {
        var forged = Archive(shape, Parent, forgery);
        var cold = await _app.UploadAsync(_app.Beta, forged, "forged.tar");

        var alpha = await _app.UploadAsync(_app.Alpha, Archive(shape, Parent), "parent.tar");
        Assert.True(alpha.Status == "succeeded", alpha.Seen);
        Assert.Contains("merger-plans.txt", alpha.JsonReport, StringComparison.Ordinal);

        var warm = await _app.UploadAsync(_app.Beta, forged, "forged.tar");

        // Exactly what beta saw before alpha's layers were cached: no benefit, no information. (Its genuine second
        // layer, which its cold run read and cached, it may reuse: its archive holds those bytes.)
        // (A truncated layer's cold error may name the entry it was cut in: beta holds those bytes itself.)
        Assert.Equal(cold.Seen, warm.Seen);
        Assert.NotEqual("succeeded", warm.Status);
    }

    [Fact]
    public async Task Attack_a_refused_upload_neither_reads_nor_refreshes_the_entry_it_names()
    {
        var forged = Archive("docker-archive", Parent, LayerForgery.OtherBytes);
        await _app.UploadAsync(_app.Beta, forged, "forged.tar");
        var alpha = await _app.UploadAsync(_app.Alpha, Archive("docker-archive", Parent), "parent.tar");
        Assert.True(alpha.Status == "succeeded", alpha.Seen);

        // Every entry is made old: one the cache hands out is refreshed (least recently used), a refused one must not be.
        var old = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var entries = Directory.GetFiles(Path.Combine(_app.App.DataDirectory, "layer-cache", "layers"), "*.layer").ToList();
        Assert.NotEmpty(entries);
        entries.ForEach(f => File.SetLastWriteTimeUtc(f, old));

        var warm = await _app.UploadAsync(_app.Beta, forged, "forged.tar");
        var (reused, refused) = _app.CacheUse(warm.Id);
        Assert.Equal(1, refused);
        // Beta's refusal kept alpha's entry where it was in the eviction order; only the layer beta holds was refreshed.
        Assert.Equal(refused, entries.Count(f => File.GetLastWriteTimeUtc(f) == old));
        Assert.Equal(reused, entries.Count(f => File.GetLastWriteTimeUtc(f) != old));
    }

    [Theory]
    [InlineData("docker-archive")]
    [InlineData("classic docker-archive")]
    public async Task Another_workspace_uploading_the_same_layers_reuses_them_it_holds_the_bytes(string shape)
    {
        var alpha = await _app.UploadAsync(_app.Alpha, Archive(shape, Parent), "parent.tar");
        var beta = await _app.UploadAsync(_app.Beta, Archive(shape, Parent), "parent.tar");

        // Possession is the grant for an upload: beta's archive holds every byte of both layers.
        Assert.Equal("succeeded", beta.Status);
        Assert.Equal(alpha.JsonReport, beta.JsonReport);
        Assert.Equal((0, 0), _app.CacheUse(alpha.Id));
        Assert.Equal((2, 0), _app.CacheUse(beta.Id));
    }

    [Fact]
    public async Task A_child_image_reuses_its_parents_layers_and_reports_what_a_cold_run_reports()
    {
        var child = Archive("docker-archive", Child);
        await using var coldApp = await LayerCacheApp.StartAsync(settings: new Dictionary<string, string> { ["LayerLens__Cache__Enabled"] = "false" });
        var cold = await coldApp.UploadAsync(coldApp.Alpha, child, "child.tar");
        Assert.True(cold.Status == "succeeded", cold.Seen);
        Assert.False(Directory.Exists(Path.Combine(coldApp.App.DataDirectory, "layer-cache")), "a disabled cache writes nothing");

        await _app.UploadAsync(_app.Alpha, Archive("docker-archive", Parent), "parent.tar");
        var warm = await _app.UploadAsync(_app.Alpha, child, "child.tar");

        Assert.Equal((2, 0), _app.CacheUse(warm.Id));
        Assert.Equal(cold.JsonReport, warm.JsonReport);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();
}
