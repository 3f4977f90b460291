using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Rebuild;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Images;
using LayerLens.TestInfrastructure.Processes;

namespace LayerLens.Analyzer.Tests.Rebuild;

/// <summary>Rebuilds of a real buildah image with every hard case (<see cref="RebuildRecipe"/>), checked by the engine and by umoci.</summary>
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public class RealImageRebuildTests
{
    private static readonly Lazy<Task<ImageExport>> Export = new(() => ImageFactory.Shared.ExportAsync(RebuildRecipe.Recipe(), new ImageExportOptions { Format = ImageFormat.OciLayout }));

    internal static async Task<RebuildResult> RebuildAsync(string source, string output, RebuildCompression compression = RebuildCompression.Gzip,
        bool force = false, Action<string>? hook = null, int? layers = null, bool squash = false) =>
        await ImageRebuilder.RunAsync(new RebuildRequest(ImageSourceSpec.Parse(source), new ImageOpenOptions(), RebuildDestination.Parse(output))
        {
            Compression = compression,
            Force = force,
            AfterWriteForTesting = hook,
            MaxLayers = layers,
            Squash = squash,
        });

    [Fact]
    public async Task Rebuilt_image_keeps_the_base_layers_ships_no_dead_bytes_and_has_the_same_files()
    {
        var export = await Export.Value;
        using var dir = new TempDir();
        var source = RealImages.Source(export);
        var original = await AnalyzeHelper.AnalyzeAsync(source);

        var result = await RebuildAsync(source, $"oci:{dir.File("out")}:v1");

        Assert.True(ImageRebuilder.DeadBytes(original) > 32 * 1024, "the recipe overwrites a 32 KiB file");
        Assert.Equal(0, result.DeadBytesAfter);
        // busybox copy, its applets, /base: none ships a byte a later layer made dead.
        Assert.Equal(original.Layers.Take(3).Select(l => l.Digest), result.KeptLayers.Select(k => k.Digest));
        var rebuilt = await AnalyzeHelper.AnalyzeAsync($"oci:{dir.File("out")}:v1");
        Assert.Equal(original.Layers.Take(3).Select(l => l.Digest), rebuilt.Layers.Take(3).Select(l => l.Digest));
        Assert.Equal(original.FinalBytes, rebuilt.FinalBytes);
        Assert.Equal(original.FileCount, rebuilt.FileCount);
        Assert.Equal(rebuilt.FinalBytes, rebuilt.SizeBytes);
        Assert.Equal(result.LayersAfter, rebuilt.Layers.Count);
        Assert.True(result.BytesAfter < result.BytesBefore);
        Assert.Equal(original.Config.Cmd, rebuilt.Config.Cmd);
    }

    [Theory]
    [InlineData(RebuildCompression.Gzip, false)]
    [InlineData(RebuildCompression.Zstd, false)]
    [InlineData(RebuildCompression.Gzip, true)]
    public async Task Umoci_unpacks_the_same_root_filesystem_from_both_images(RebuildCompression compression, bool squash)
    {
        var export = await Export.Value;
        using var dir = new TempDir();
        await RebuildAsync(RealImages.Source(export), $"oci:{dir.File("out")}:v1", compression, squash: squash);

        var before = await RootfsWalk.UnpackAndDescribeAsync(export.Path, export.Tag, dir.File("a"));
        var layout = dir.File("out");
        if (compression == RebuildCompression.Zstd)
        {
            // Debian's umoci reads no zstd layers: skopeo recompresses them (contents untouched) first.
            await ProcessRunner.RunAsync("skopeo", ["copy", "--dest-compress-format", "gzip", $"oci:{layout}:v1", $"oci:{dir.File("gz")}:v1"]);
            layout = dir.File("gz");
        }
        var after = await RootfsWalk.UnpackAndDescribeAsync(layout, "v1", dir.File("b"));

        // The recipe's hard cases are there to be compared.
        Assert.Contains("linked to app/hl-a", before["app/hl-b"]);
        Assert.Contains("1000:2000", before["app/sub"]);
        Assert.False(before.ContainsKey("base/emptydir"));
        Assert.Equal(string.Join("\n", before.Select(kv => kv.Key + ": " + kv.Value)), string.Join("\n", after.Select(kv => kv.Key + ": " + kv.Value)));
    }

    [Fact]
    public async Task A_docker_archive_output_is_read_by_skopeo_and_unpacks_to_the_same_root_filesystem()
    {
        var export = await Export.Value;
        using var dir = new TempDir();
        await RebuildAsync(RealImages.Source(export), $"docker-archive:{dir.File("out.tar")}:example.com/app:slim");

        var manifest = await ProcessRunner.RunAsync("tar", ["-xOf", dir.File("out.tar"), "manifest.json"]);
        Assert.Contains("\"RepoTags\":[\"example.com/app:slim\"]", manifest.StandardOutput);
        await ProcessRunner.RunAsync("skopeo", ["copy", $"docker-archive:{dir.File("out.tar")}", $"oci:{dir.File("copy")}:x"]);
        var before = await RootfsWalk.UnpackAndDescribeAsync(export.Path, export.Tag, dir.File("a"));
        var after = await RootfsWalk.UnpackAndDescribeAsync(dir.File("copy"), "x", dir.File("b"));
        Assert.Equal(before, after);
        var rebuilt = await AnalyzeHelper.AnalyzeAsync($"docker-archive:{dir.File("out.tar")}");
        Assert.Equal(0, ImageRebuilder.DeadBytes(rebuilt));
    }

    [Theory]
    [InlineData(RebuildCompression.Gzip)]
    [InlineData(RebuildCompression.Zstd)]
    public async Task Two_rebuilds_give_identical_digests(RebuildCompression compression)
    {
        var export = await Export.Value;
        using var dir = new TempDir();
        var first = await RebuildAsync(RealImages.Source(export), $"oci:{dir.File("one")}:x", compression);
        var second = await RebuildAsync(RealImages.Source(export), $"oci-archive:{dir.File("two.tar")}:x", compression);
        var third = await RebuildAsync(RealImages.Source(export), $"oci-archive:{dir.File("three.tar")}:x", compression);

        Assert.Equal(first.ManifestDigest, second.ManifestDigest);
        Assert.Equal(File.ReadAllBytes(dir.File("two.tar")), File.ReadAllBytes(dir.File("three.tar")));
    }

    [Fact]
    public async Task Layers_option_caps_the_rewritten_layers_and_squash_writes_one()
    {
        var export = await Export.Value;
        using var dir = new TempDir();
        var capped = await RebuildAsync(RealImages.Source(export), $"oci:{dir.File("capped")}:x", layers: 1);
        var squashed = await RebuildAsync(RealImages.Source(export), $"oci:{dir.File("squashed")}:x", squash: true);

        Assert.Equal(4, capped.LayersAfter);
        Assert.Equal(1, squashed.LayersAfter);
        Assert.Empty(squashed.KeptLayers);
        Assert.Equal(0, squashed.DeadBytesAfter);
        Assert.Equal(capped.FinalBytes, squashed.FinalBytes);
    }

    [Fact]
    public async Task A_difference_found_by_the_proof_fails_the_rebuild_naming_paths_and_publishes_nothing()
    {
        var export = await Export.Value;
        using var dir = new TempDir();

        var failure = await Assert.ThrowsAsync<EquivalenceFailedException>(() => RebuildAsync(RealImages.Source(export), $"oci:{dir.File("out")}:v1", hook: DropLastLayer));

        Assert.Contains("/app/version: missing from the rebuilt image", failure.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public async Task An_existing_destination_is_kept_without_force_and_replaced_with_it()
    {
        var export = await Export.Value;
        using var dir = new TempDir();
        File.WriteAllText(dir.File("out.tar"), "mine");

        await Assert.ThrowsAsync<RebuildRefusedException>(() => RebuildAsync(RealImages.Source(export), $"oci-archive:{dir.File("out.tar")}"));
        Assert.Equal("mine", File.ReadAllText(dir.File("out.tar")));

        await RebuildAsync(RealImages.Source(export), $"oci-archive:{dir.File("out.tar")}", force: true);
        var rebuilt = await AnalyzeHelper.AnalyzeAsync($"oci-archive:{dir.File("out.tar")}");
        Assert.Equal(0, ImageRebuilder.DeadBytes(rebuilt));
        Assert.Single(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public async Task Two_versions_of_an_app_share_every_rewritten_dependency_layer()
    {
        var v1 = await Export.Value;
        var v2 = await ImageFactory.Shared.ExportAsync(RebuildRecipe.Recipe("rebuild-cases-v2", "app v2"), new ImageExportOptions { Format = ImageFormat.OciLayout });
        using var dir = new TempDir();
        var original1 = await AnalyzeHelper.AnalyzeAsync(RealImages.Source(v1));
        var original2 = await AnalyzeHelper.AnalyzeAsync(RealImages.Source(v2));
        // buildah's layer cache gives both versions the same source layers up to the last instruction.
        Assert.Equal(original1.Layers.SkipLast(1).Select(l => l.DiffId), original2.Layers.SkipLast(1).Select(l => l.DiffId));

        await RebuildAsync(RealImages.Source(v1), $"oci:{dir.File("v1")}:x");
        await RebuildAsync(RealImages.Source(v2), $"oci:{dir.File("v2")}:x");

        var rebuilt1 = await AnalyzeHelper.AnalyzeAsync($"oci:{dir.File("v1")}:x");
        var rebuilt2 = await AnalyzeHelper.AnalyzeAsync($"oci:{dir.File("v2")}:x");
        Assert.Equal(rebuilt1.Layers.SkipLast(1).Select(l => l.Digest), rebuilt2.Layers.SkipLast(1).Select(l => l.Digest));
        Assert.NotEqual(rebuilt1.Layers[^1].Digest, rebuilt2.Layers[^1].Digest);
    }

    [Fact]
    public async Task A_cancelled_rebuild_leaves_nothing_behind()
    {
        var export = await Export.Value;
        using var dir = new TempDir();
        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress(step =>
        {
            if (step.StartsWith("writing layer", StringComparison.Ordinal))
            {
                cancel.Cancel();
            }
        });
        var request = new RebuildRequest(ImageSourceSpec.Parse(RealImages.Source(export)), new ImageOpenOptions(), RebuildDestination.Parse($"oci:{dir.File("out")}"));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ImageRebuilder.RunAsync(request, progress, cancel.Token));

        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public async Task A_destination_without_room_is_refused_before_anything_is_written()
    {
        var export = await Export.Value;
        using var dir = new TempDir();
        var small = dir.File("small");
        Directory.CreateDirectory(small);
        await ProcessRunner.RunAsync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", small]);
        try
        {
            var refused = await Assert.ThrowsAsync<RebuildRefusedException>(() => RebuildAsync(RealImages.Source(export), $"oci:{Path.Combine(small, "out")}"));

            Assert.Contains("bytes free", refused.Message);
            Assert.Empty(Directory.EnumerateFileSystemEntries(small));
        }
        finally
        {
            await ProcessRunner.RunAsync("umount", [small]);
        }
    }

    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }

    /// <summary>Test hook: a valid image that lacks the last layer (manifest, config and index rewritten), so only the proof can catch it.</summary>
    internal static void DropLastLayer(string layout)
    {
        var blobs = Path.Combine(layout, "blobs", "sha256");
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!;
        var manifestDigest = index["manifests"]![0]!["digest"]!.GetValue<string>();
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(blobs, manifestDigest[7..])))!;
        var layers = manifest["layers"]!.AsArray();
        layers.RemoveAt(layers.Count - 1);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(blobs, manifest["config"]!["digest"]!.GetValue<string>()[7..])))!;
        var diffIds = config["rootfs"]!["diff_ids"]!.AsArray();
        diffIds.RemoveAt(diffIds.Count - 1);
        config.AsObject().Remove("history");
        var (configDigest, configSize) = Store(blobs, config);
        manifest["config"]!["digest"] = configDigest;
        manifest["config"]!["size"] = configSize;
        var (digest, size) = Store(blobs, manifest);
        index["manifests"]![0]!["digest"] = digest;
        index["manifests"]![0]!["size"] = size;
        File.WriteAllText(Path.Combine(layout, "index.json"), index.ToJsonString());
    }

    private static (string Digest, long Size) Store(string blobs, JsonNode node)
    {
        var bytes = Encoding.UTF8.GetBytes(node.ToJsonString());
        var hex = Convert.ToHexStringLower(SHA256.HashData(bytes));
        File.WriteAllBytes(Path.Combine(blobs, hex), bytes);
        return ("sha256:" + hex, bytes.Length);
    }
}
