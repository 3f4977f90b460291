using System.Collections.Concurrent;
using LayerLens.Analyzer.Optimisation;
using LayerLens.Analyzer.Optimisation.Measurement;

namespace LayerLens.Analyzer.Tests.Optimisation;

/// <summary>A fixture project measured once; several tests assert on it.</summary>
public sealed record MeasuredFixture(OptimisationResult Result, MeasurementResult Measured);

/// <summary>
/// A test-owned buildah store, built once per test run, standing in for the host's containers storage: the
/// fixtures' common base (busybox FROM scratch, image "base") that experiments copy as their seed, and a named
/// base image (<see cref="NamedBase"/>) that Dockerfiles use in FROM and measurement must seed without network.
/// It also keeps each fixture's measurement, so the tests that assert on one fixture share its builds.
/// </summary>
public sealed class BaseStore : IAsyncLifetime
{
    public const string NamedBase = "layerlens-fixture-base";

    /// <summary>The file the named base adds on top of busybox.</summary>
    public const string NamedBaseFile = "etc/fixture-base-release";

    private readonly TempDir _dir = new();
    private readonly List<TempDir> _projects = [];
    private readonly ConcurrentDictionary<string, Lazy<Task<MeasuredFixture>>> _measured = new(StringComparer.Ordinal);
    private BuildahBuild? _builder;

    public string Root => _builder!.Root;

    /// <summary>The store as <c>--base-store</c> takes it.</summary>
    public string StoreSpec => $"vfs@{_builder!.Root}+{_builder.RunRoot}";

    public async Task InitializeAsync()
    {
        var context = _dir.File("context");
        Directory.CreateDirectory(context);
        File.Copy("/bin/busybox", Path.Combine(context, "busybox"));
        Fixtures.SetMode(Path.Combine(context, "busybox"), "755");
        File.WriteAllText(Path.Combine(context, "release"), "fixture base 1\n");
        File.WriteAllText(Path.Combine(context, "Dockerfile"), Fixtures.Base);
        File.WriteAllText(Path.Combine(context, "Named.Dockerfile"), Fixtures.Base + "COPY release /" + NamedBaseFile + "\n");
        _builder = new BuildahBuild(_dir.File("store"), TimeSpan.FromMinutes(3));
        var outcome = await _builder.BuildAsync(Path.Combine(context, "Dockerfile"), context, "base", CancellationToken.None);
        Assert.True(outcome.Success, outcome.LogTail);
        var named = await _builder.BuildAsync(Path.Combine(context, "Named.Dockerfile"), context, NamedBase, CancellationToken.None);
        Assert.True(named.Success, named.LogTail);
    }

    /// <summary>Writes the named base image as an OCI layout directory.</summary>
    public async Task ExportNamedBaseAsync(string directory)
    {
        await _builder!.PushOciAsync(NamedBase, directory, CancellationToken.None);
    }

    /// <summary>Measures a fixture project the first time a test asks for it; later tests get the same result.</summary>
    public Task<MeasuredFixture> MeasureOnce(string key, Action<TempDir> make, string dockerfile, Func<MeasureOptions, MeasureOptions> options) =>
        _measured.GetOrAdd(key, _ => new Lazy<Task<MeasuredFixture>>(async () =>
        {
            var dir = new TempDir();
            lock (_projects)
            {
                _projects.Add(dir);
            }
            make(dir);
            var result = Fixtures.Optimize(dir, dockerfile);
            var measured = await RebuildMeasurement.MeasureAsync(result, options(new MeasureOptions { Runs = 1, BuildTimeout = TimeSpan.FromMinutes(3) }), CancellationToken.None);
            return new MeasuredFixture(result, measured);
        })).Value;

    public async Task DisposeAsync()
    {
        if (_builder is not null)
        {
            await _builder.CleanAsync();
        }
        foreach (var project in _projects)
        {
            project.Dispose();
        }
        _dir.Dispose();
    }
}
