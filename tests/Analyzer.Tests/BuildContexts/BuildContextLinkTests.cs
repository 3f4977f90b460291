using LayerLens.Analyzer.BuildContexts;

namespace LayerLens.Analyzer.Tests.BuildContexts;

/// <summary>Reading a context never follows a link: a symlinked .dockerignore would read any file on the machine.</summary>
public sealed class BuildContextLinkTests
{
    [Theory]
    [InlineData(".dockerignore")]
    [InlineData("Dockerfile.dockerignore")]
    public void A_symlinked_dockerignore_is_refused_not_read(string name)
    {
        using var dir = new TempDir();
        var outside = Path.Combine(dir.Path, "outside-secret");
        File.WriteAllText(outside, "TOP-SECRET-pattern\n");
        Directory.CreateDirectory(dir.File("context"));
        File.WriteAllText(dir.File("context/Dockerfile"), "FROM scratch\n");
        File.CreateSymbolicLink(dir.File("context/" + name), outside);

        var ex = Assert.Throws<FormatException>(() => BuildContext.Load(dir.File("context"), dir.File("context/Dockerfile")));
        Assert.Contains(name + ": is a symbolic link", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("TOP-SECRET", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symlinked_directory_is_listed_as_a_link_and_not_walked()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("outside"));
        File.WriteAllText(dir.File("outside/secret.txt"), "x");
        Directory.CreateDirectory(dir.File("context"));
        Directory.CreateSymbolicLink(dir.File("context/up"), dir.File("outside"));

        var context = BuildContext.Load(dir.File("context"));
        Assert.Equal(["up"], context.Files.Select(f => f.Path));
        Assert.True(context.Get("up")!.IsSymlink);
    }
}
