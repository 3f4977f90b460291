using LayerLens.Analyzer.Optimisation.Measurement;

namespace LayerLens.Analyzer.Tests.Optimisation;

/// <summary>
/// The fixtures' common base (busybox FROM scratch) built once per test run into a buildah store; each
/// experiment copies it as its seed, so its first builds find the base steps cached.
/// </summary>
public sealed class BaseStore : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private BuildahBuild? _builder;

    public string Root => _builder!.Root;

    public async Task InitializeAsync()
    {
        var context = _dir.File("context");
        Directory.CreateDirectory(context);
        File.Copy("/bin/busybox", Path.Combine(context, "busybox"));
        Fixtures.SetMode(Path.Combine(context, "busybox"), "755");
        File.WriteAllText(Path.Combine(context, "Dockerfile"), Fixtures.Base);
        _builder = new BuildahBuild(_dir.File("store"), TimeSpan.FromMinutes(3));
        var outcome = await _builder.BuildAsync(Path.Combine(context, "Dockerfile"), context, "base", CancellationToken.None);
        Assert.True(outcome.Success, outcome.LogTail);
    }

    public async Task DisposeAsync()
    {
        if (_builder is not null)
        {
            await _builder.CleanAsync();
        }
        _dir.Dispose();
    }
}
