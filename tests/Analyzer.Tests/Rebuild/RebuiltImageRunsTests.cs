using LayerLens.Analyzer.Rebuild;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Images;
using LayerLens.TestInfrastructure.Processes;

namespace LayerLens.Analyzer.Tests.Rebuild;

/// <summary>
/// The rebuilt image runs: buildah (its own throwaway store, vfs, chroot isolation) makes a container from the
/// source and from the rebuild and runs each image's own entrypoint and command; the outputs must be equal.
/// <see cref="RebuildRecipe"/>'s command prints a file the rebuild rewrites (/app/over.bin) and the app's version.
/// </summary>
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public class RebuiltImageRunsTests
{
    private static readonly Lazy<Task<ImageExport>> Export = new(() => ImageFactory.Shared.ExportAsync(RebuildRecipe.Recipe(), new ImageExportOptions { Format = ImageFormat.OciLayout }));

    [Theory]
    [InlineData("oci-archive", RebuildCompression.Gzip, false)]
    [InlineData("oci", RebuildCompression.Zstd, false)]
    [InlineData("oci", RebuildCompression.Gzip, true)]
    [InlineData("docker-archive", RebuildCompression.Gzip, true)]
    public async Task The_rebuilt_image_runs_its_command_with_the_same_output(string kind, RebuildCompression compression, bool squash)
    {
        var export = await Export.Value;
        using var dir = new TempDir();
        var output = kind == "oci" ? $"oci:{dir.File("out")}:v1" : $"{kind}:{dir.File("out.tar")}";
        await RealImageRebuildTests.RebuildAsync(RealImages.Source(export), output, compression, squash: squash);
        var store = new[] { "--root", dir.File("storage"), "--runroot", dir.File("run"), "--storage-driver", "vfs" };
        try
        {
            var original = await RunAsync(store, RealImages.Source(export));
            var rebuilt = await RunAsync(store, output);

            Assert.Equal("app v1\nnew\n", original);
            Assert.Equal(original, rebuilt);
        }
        finally
        {
            await ProcessRunner.RunAsync("buildah", [.. store, "rm", "--all"], new ProcessOptions { CheckExitCode = false });
            await ProcessRunner.RunAsync("buildah", [.. store, "rmi", "--all", "--force"], new ProcessOptions { CheckExitCode = false });
        }
    }

    /// <summary>
    /// The output of the image's entrypoint + command. buildah's chroot isolation now and then loses the output of a
    /// process that exits at once (empty twice in six runs of these four cases here), so the command writes into a
    /// file of the container (through the image's own /bin/sh) that is read from the container's mounted root.
    /// </summary>
    private static async Task<string> RunAsync(string[] store, string image)
    {
        var analysis = await AnalyzeHelper.AnalyzeAsync(image);
        string[] command = [.. analysis.Config.Entrypoint ?? [], .. analysis.Config.Cmd ?? []];
        Assert.NotEmpty(command);
        var container = (await ProcessRunner.RunAsync("buildah", [.. store, "from", image])).StandardOutput.Trim();
        await ProcessRunner.RunAsync("buildah", [.. store, "run", "--isolation", "chroot", container, "--",
            "/bin/sh", "-c", "exec \"$@\" > /run-output 2>&1", "sh", .. command]);
        var root = (await ProcessRunner.RunAsync("buildah", [.. store, "mount", container])).StandardOutput.Trim();
        try
        {
            return File.ReadAllText(Path.Combine(root, "run-output"));
        }
        finally
        {
            await ProcessRunner.RunAsync("buildah", [.. store, "umount", container]);
        }
    }
}
