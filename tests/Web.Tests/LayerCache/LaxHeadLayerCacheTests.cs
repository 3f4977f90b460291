using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.Web.Tests.Tenancy;

namespace LayerLens.Web.Tests.LayerCache;

/// <summary>
/// Why a HEAD answering 200 is not, alone, a grant to a cached change set: beta's own registry answers HEAD 200 for
/// every digest and serves a manifest and config naming alpha's layer (right digest, right diff_id), but not the
/// layer. A stub registry stands in here because a real docker-registry never answers HEAD for a blob it does not
/// hold — which is exactly what a hostile one does.
/// </summary>
public sealed class LaxHeadLayerCacheTests : IAsyncLifetime
{
    private static readonly SyntheticImage Image = new(new LayerTarBuilder().Dir("alpha-private").File("alpha-private/merger-plans.txt", "alpha's plans").Build());

    private readonly StubRegistry _honest = new();
    private readonly StubRegistry _evil = new() { AnswerEveryHead = true };
    private LayerCacheApp _app = null!;

    public async Task InitializeAsync() => _app = await LayerCacheApp.StartAsync([_honest.Host, _evil.Host]);

    [Fact]
    public async Task A_registry_that_answers_every_HEAD_gets_no_cached_change_set()
    {
        var (blobs, _, manifest) = Image.Blobs();
        _honest.AddBlobs(blobs);
        _honest.AddManifest("alpha/app", "1", manifest);
        var layer = SyntheticImage.Sha256(Image.Compress(Image.LayerTars[0]));
        _evil.AddManifestNamingLayer("beta/app", "1", Image, layer, blobs[layer].Length);

        var cold = await _app.PullAsync(_app.Beta, $"{_evil.Host}/beta/app:1");
        var alpha = await _app.PullAsync(_app.Alpha, $"{_honest.Host}/alpha/app:1");
        Assert.True(alpha.Status == "succeeded", alpha.Seen);
        var warm = await _app.PullAsync(_app.Beta, $"{_evil.Host}/beta/app:1");

        Assert.Equal("failed", warm.Status);
        Assert.Equal(cold.Seen, warm.Seen);
        Assert.DoesNotContain("merger-plans", warm.Seen, StringComparison.Ordinal);
        Assert.Equal(2, _evil.Requests.Count(r => r == $"GET /v2/beta/app/blobs/{layer}"));
        Assert.Equal((0, 1), _app.CacheUse(warm.Id));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _honest.Dispose();
        _evil.Dispose();
    }
}
