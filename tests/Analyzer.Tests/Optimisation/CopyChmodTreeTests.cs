using LayerLens.Analyzer.Optimisation.Measurement;
using LayerLens.TestInfrastructure;

namespace LayerLens.Analyzer.Tests.Optimisation;

/// <summary>RUN chmod -R after COPY of a directory becomes COPY --chmod only where the two images are the same.</summary>
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class CopyChmodTreeTests
{
    internal static void Tree(TempDir dir)
    {
        Fixtures.Plain(dir);
        Fixtures.Write(dir, "site/private/key.txt", "secret\n");
        Fixtures.SetMode(dir.File("site/private/key.txt"), "600");
        Fixtures.SetMode(dir.File("site/private"), "700");
        Fixtures.SetMode(dir.File("site/module001.html"), "640");
    }

    internal const string Dockerfile = Fixtures.Base + "COPY site /srv/site\nRUN chmod -R 755 /srv/site\n";

    [Fact]
    public void Chmod_R_755_of_exactly_the_copied_tree_becomes_copy_chmod()
    {
        using var dir = new TempDir();
        Tree(dir);
        var result = Fixtures.Optimize(dir, Dockerfile);

        var change = Assert.Single(result.Changes, c => c.Kind == "copy-chmod");
        Assert.Equal(5, change.Line);
        Assert.Equal(Fixtures.Base + "COPY --chmod=0755 site /srv/site\n", result.RecommendedDockerfile);
    }

    [Theory]
    [InlineData("RUN chmod -R 750 /srv/site")] // the destination directory itself would stay 0755 with --chmod
    [InlineData("RUN chmod -R 644 /srv/site")]
    [InlineData("RUN chmod -R a+rX /srv/site")] // depends on each file's own mode
    [InlineData("RUN chmod 755 /srv/site")] // only the directory, not its files
    [InlineData("RUN chmod -R 755 /srv/site/private")] // a part of the tree
    [InlineData("RUN chmod -R 755 /srv")] // more than the tree
    public void Any_other_chmod_of_a_copied_tree_is_left_alone(string run)
    {
        using var dir = new TempDir();
        Tree(dir);
        var text = Fixtures.Base + "COPY site /srv/site\n" + run + "\n";
        var result = Fixtures.Optimize(dir, text);

        Assert.DoesNotContain(result.Changes, c => c.Kind == "copy-chmod");
        Assert.Equal(text, result.RecommendedDockerfile);
    }
}

/// <summary>The directory --chmod rewrite, built for real: the same files, modes and configuration.</summary>
[Collection(RealBuilds.Name)]
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class CopyChmodTreeBuildTests(BaseStore baseStore)
{
    [Fact]
    public async Task The_copy_chmod_rewrite_of_a_tree_builds_an_equivalent_image()
    {
        using var dir = new TempDir();
        CopyChmodTreeTests.Tree(dir);
        var result = Fixtures.Optimize(dir, CopyChmodTreeTests.Dockerfile);
        Assert.Contains(result.Changes, c => c.Kind == "copy-chmod");

        // Equivalence needs only the first builds: no rebuild scenario.
        var measured = await RebuildMeasurement.MeasureAsync(result, MeasuredRebuildTests.OneRun(baseStore) with { Scenarios = new HashSet<string>() }, CancellationToken.None);

        Assert.Empty(measured.Failures);
        Assert.True(measured.Equivalent, string.Join("\n", measured.Differences));
    }

    [Fact]
    public async Task With_another_mode_copy_chmod_would_not_be_equivalent_so_the_rewrite_is_right_to_refuse()
    {
        using var dir = new TempDir();
        CopyChmodTreeTests.Tree(dir);
        var honest = Fixtures.Optimize(dir, Fixtures.Base + "COPY site /srv/site\nRUN chmod -R 750 /srv/site\n");
        Assert.False(honest.HasRewrites);
        var injected = WrongReorderingTests.Inject(honest, Fixtures.Base + "COPY --chmod=0750 site /srv/site\n");

        var measured = await RebuildMeasurement.MeasureAsync(injected, MeasuredRebuildTests.OneRun(baseStore) with { Scenarios = new HashSet<string>() }, CancellationToken.None);

        Assert.Empty(measured.Failures);
        Assert.False(measured.Equivalent);
        // Only the destination directory differs: chmod -R changed it, --chmod left it as created.
        var difference = Assert.Single(measured.Differences);
        Assert.StartsWith("/srv/site: mode", difference, StringComparison.Ordinal);
    }
}
