using LayerLens.Analyzer.Optimisation.Measurement;
using LayerLens.Analyzer.Optimisation.Measurement.Sandbox;

namespace LayerLens.Analyzer.Tests.Optimisation.Measurement.Sandbox;

/// <summary>
/// What a sandboxed build leaves for root (the pushed OCI layout, the image id, the context root edits between
/// builds) is the build user's to shape: a link or special file there must not lead root's reader or writer to
/// another file.
/// </summary>
public sealed class PlainTreeTests
{
    [Fact]
    public void A_layout_with_only_directories_and_single_link_files_is_plain()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("blobs/sha256"));
        File.WriteAllText(dir.File("index.json"), "{}");
        File.WriteAllText(dir.File("blobs/sha256/abc"), "x");
        Assert.Null(PlainTree.FirstUnsafe(dir.Path));
    }

    [Theory]
    [InlineData("symlink")]
    [InlineData("symlinked-dir")]
    [InlineData("hardlink")]
    [InlineData("fifo")]
    public void A_link_or_special_file_anywhere_in_the_layout_is_refused(string kind)
    {
        using var dir = new TempDir();
        using var outside = new TempDir();
        File.WriteAllText(outside.File("database"), "secret");
        Directory.CreateDirectory(dir.File("blobs/sha256"));
        File.WriteAllText(dir.File("index.json"), "{}");
        var bad = dir.File("blobs/sha256/abc");
        switch (kind)
        {
            case "symlink":
                File.CreateSymbolicLink(bad, outside.File("database"));
                break;
            case "symlinked-dir":
                Directory.CreateSymbolicLink(dir.File("blobs/sha256/dir"), outside.Path);
                bad = dir.File("blobs/sha256/dir");
                break;
            case "hardlink":
                File.WriteAllText(dir.File("blobs/sha256/original"), "x");
                Run("ln", dir.File("blobs/sha256/original"), bad);
                break;
            default:
                Run("mkfifo", bad);
                break;
        }
        var found = PlainTree.FirstUnsafe(dir.Path);
        Assert.NotNull(found);
        Assert.StartsWith(dir.File("blobs/sha256/"), found, StringComparison.Ordinal);
    }

    [Fact]
    public void A_scenario_edit_is_not_written_through_a_link_a_build_left_in_the_context()
    {
        using var context = new TempDir();
        using var outside = new TempDir();
        File.WriteAllText(outside.File("layerlens.db"), "database");
        Directory.CreateDirectory(context.File("src"));
        File.CreateSymbolicLink(context.File("src/app.js"), outside.File("layerlens.db"));
        Assert.Throws<InvalidOperationException>(() => ScenarioEdits.Apply(context.Path, "src/app.js"));
        Directory.Delete(context.File("src"), recursive: true);
        Directory.CreateSymbolicLink(context.File("src"), outside.Path);
        File.Move(outside.File("layerlens.db"), outside.File("app.js"));
        Assert.Throws<InvalidOperationException>(() => ScenarioEdits.Apply(context.Path, "src/app.js"));
        Assert.Equal("database", File.ReadAllText(outside.File("app.js")));
    }

    [Fact]
    public void A_scenario_edit_of_a_plain_file_appends_a_line_break()
    {
        using var context = new TempDir();
        Directory.CreateDirectory(context.File("src"));
        File.WriteAllText(context.File("src/app.js"), "a");
        ScenarioEdits.Apply(context.Path, "src/app.js");
        Assert.Equal("a\n", File.ReadAllText(context.File("src/app.js")));
    }

    private static void Run(string file, params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(file, args);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
