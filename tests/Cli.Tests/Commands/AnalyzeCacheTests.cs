using System.Text.Json;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Layers.Cache;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Cli.Tests.Commands;

/// <summary>
/// <c>layerlens analyze</c> with its layer cache, as real processes: the report is the same with and without it,
/// the default directory follows XDG, the bound holds, and two processes sharing one directory at once both report
/// correctly and leave only whole entries.
/// </summary>
public sealed class AnalyzeCacheTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "layerlens-cli-tests", Guid.NewGuid().ToString("N"));
    private readonly string _image;

    public AnalyzeCacheTests()
    {
        Directory.CreateDirectory(_dir);
        // Enough entries that two processes read their layers at the same time.
        var layers = Enumerable.Range(0, 4).Select(l =>
        {
            var b = new LayerTarBuilder().Dir($"l{l}");
            for (var i = 0; i < 3000; i++)
            {
                b.File($"l{l}/f{i}", 64 + i % 50, seed: l * 10_000 + i);
            }
            return b.Whiteout(l > 0 ? $"l{l - 1}/f7" : "none").Build();
        }).ToArray();
        var layout = Path.Combine(_dir, "image");
        new SyntheticImage(layers).WriteOciLayout(layout);
        _image = "oci:" + layout;
    }

    private string CacheDir(string name) => Path.Combine(_dir, name);

    private Task<LayerLensProcess.Result> RunAsync(IDictionary<string, string?>? environment, params string[] args) =>
        LayerLensProcess.RunAsync(_dir, environment, args);

    private static IEnumerable<string> Entries(string cacheDir) =>
        Directory.Exists(Path.Combine(cacheDir, "layers")) ? Directory.GetFiles(Path.Combine(cacheDir, "layers")) : [];

    [Fact]
    public async Task Cold_warm_and_uncached_reports_are_identical()
    {
        var cache = CacheDir("cache");
        var uncached = await RunAsync(null, "analyze", _image, "--format", "json", "--no-cache", "--cache-dir", cache);
        Assert.Equal(0, uncached.ExitCode);
        Assert.Empty(Entries(cache));

        var cold = await RunAsync(null, "analyze", _image, "--format", "json", "--cache-dir", cache);
        Assert.Equal(4, Entries(cache).Count());
        var warm = await RunAsync(null, "analyze", _image, "--format", "json", "--cache-dir", cache);

        Assert.Equal((0, ""), (cold.ExitCode, cold.Stderr));
        Assert.Equal(uncached.Stdout, cold.Stdout);
        Assert.Equal(uncached.Stdout, warm.Stdout);
        await AssertEveryLayerIsCachedWholeAsync(cache, warm.Stdout);
    }

    [Fact]
    public async Task The_default_directory_is_under_XDG_CACHE_HOME_else_under_HOME()
    {
        var xdg = CacheDir("xdg");
        var home = CacheDir("home");

        Assert.Equal(0, (await RunAsync(new Dictionary<string, string?> { ["XDG_CACHE_HOME"] = xdg }, "analyze", _image)).ExitCode);
        Assert.Equal(0, (await RunAsync(new Dictionary<string, string?> { ["XDG_CACHE_HOME"] = null, ["HOME"] = home }, "analyze", _image)).ExitCode);

        Assert.Equal(4, Entries(Path.Combine(xdg, "layerlens")).Count());
        Assert.Equal(4, Entries(Path.Combine(home, ".cache", "layerlens")).Count());
    }

    [Fact]
    public async Task The_bound_holds_and_a_bad_bound_is_refused()
    {
        var cache = CacheDir("small");
        var uncached = await RunAsync(null, "analyze", _image, "--format", "json", "--no-cache");

        var bounded = await RunAsync(null, "analyze", _image, "--format", "json", "--cache-dir", cache, "--cache-max-bytes", "250000");
        var refused = await RunAsync(null, "analyze", _image, "--cache-dir", cache, "--cache-max-bytes", "0");

        Assert.Equal(uncached.Stdout, bounded.Stdout);
        Assert.InRange(Entries(cache).Sum(e => new FileInfo(e).Length), 1, 250_000);
        Assert.InRange(Entries(cache).Count(), 1, 3);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--cache-max-bytes", refused.Stderr);
    }

    [Fact]
    public async Task Two_processes_sharing_a_cache_directory_at_once_both_report_correctly()
    {
        var cache = CacheDir("shared");
        var expected = (await RunAsync(null, "analyze", _image, "--format", "json", "--no-cache")).Stdout;

        for (var round = 0; round < 3; round++)
        {
            // Round 0: both cold, both writing every entry; later rounds: both warm, or one warm beside one refilling.
            if (round == 2)
            {
                File.Delete(Entries(cache).First());
            }
            var runs = await Task.WhenAll(
                RunAsync(null, "analyze", _image, "--format", "json", "--cache-dir", cache),
                RunAsync(null, "analyze", _image, "--format", "json", "--cache-dir", cache));

            Assert.All(runs, r => Assert.Equal((0, "", expected), (r.ExitCode, r.Stderr, r.Stdout)));
        }
        Assert.DoesNotContain(Entries(cache), e => Path.GetFileName(e).StartsWith(".tmp-", StringComparison.Ordinal));
        await AssertEveryLayerIsCachedWholeAsync(cache, expected);
    }

    [Fact]
    public void Help_names_the_cache_options()
    {
        var help = CliRunner.Run("analyze", "--help");

        Assert.Contains("--cache-dir", help.Stdout);
        Assert.Contains("--no-cache", help.Stdout);
        Assert.Contains("--cache-max-bytes", help.Stdout);
    }

    /// <summary>Each layer the report names has a readable entry for its digests (read back through the engine's own format).</summary>
    private static async Task AssertEveryLayerIsCachedWholeAsync(string cacheDir, string reportJson)
    {
        using var report = JsonDocument.Parse(reportJson);
        var cache = new DirectoryLayerCache(cacheDir);
        foreach (var layer in report.RootElement.GetProperty("layers").EnumerateArray())
        {
            var key = LayerCacheKey.Verified(layer.GetProperty("digest").GetString()!, layer.GetProperty("diffId").GetString()!, AnalysisLimits.Default);
            var blob = new LayerBlob
            {
                Index = 0, Digest = key.BlobDigest, DiffId = key.DiffId, MediaType = null, CompressedSize = -1,
                Open = _ => throw new InvalidOperationException("not opened"),
            };
            Assert.NotNull(await cache.TryGetAsync(blob, key, default));
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
