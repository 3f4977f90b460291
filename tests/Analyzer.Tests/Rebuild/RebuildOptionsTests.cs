using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Rebuild;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Images;
using LayerLens.TestInfrastructure.Processes;

namespace LayerLens.Analyzer.Tests.Rebuild;

/// <summary>
/// <c>--base</c>, <c>--drop-junk</c> and <c>--link-duplicates</c> on real buildah images, checked by the engine
/// and, independently, by unpacking both images with umoci (<see cref="RootfsWalk"/>).
/// </summary>
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public class RebuildOptionsTests
{
    private const string Stamp = "touch -d '2020-01-01 00:00:00'";

    /// <summary>
    /// Busybox (layers 0-1), then: 2 junk a kept layer holds (/root/.cache); 3 a file overwritten later (so layer 3
    /// and above are rewritten); 4 apt-like lists and caches, __pycache__, .git, /tmp leftovers, a .swp file, and
    /// duplicates (d1 = d2 with equal metadata, d3 the same bytes with another mode); 5 the overwrite, one more
    /// duplicate of d1 and junk under the kept /root/.cache.
    /// </summary>
    private static readonly ImageRecipe Recipe = ImageRecipe.OnBusybox("rebuild-options", $"""
        RUN mkdir -p /root/.cache/pip && echo wheel > /root/.cache/pip/w.whl
        RUN mkdir -p /app && dd if=/dev/urandom of=/app/big.bin bs=1k count=16
        RUN mkdir -p /var/lib/apt/lists/partial /var/cache/apt/archives /app/pkg/__pycache__ /app/.git/objects /tmp/build && echo index > /var/lib/apt/lists/deb_main_Packages && dd if=/dev/urandom of=/var/cache/apt/archives/x.deb bs=1k count=8 && echo pyc > /app/pkg/__pycache__/mod.pyc && echo py > /app/pkg/mod.py && echo ref > /app/.git/HEAD && echo obj > /app/.git/objects/ab && echo t > /tmp/build/out && echo swap > /app/notes.swp && dd if=/dev/urandom of=/app/d1 bs=1k count=8 && cp /app/d1 /app/d2 && cp /app/d1 /app/d3 && chmod 600 /app/d3 && {Stamp} /app/d1 /app/d2 /app/d3
        RUN echo small > /app/big.bin && cp /app/d1 /app/d4 && {Stamp} /app/d4 && echo later > /root/.cache/pip/new.whl
        CMD ["/bin/cat", "/app/pkg/mod.py"]
        """);

    private static readonly string[] Junk =
    [
        "app/.git", "app/.git/HEAD", "app/.git/objects", "app/.git/objects/ab", "app/notes.swp", "app/pkg/__pycache__",
        "app/pkg/__pycache__/mod.pyc", "root/.cache/pip/new.whl", "tmp/build", "tmp/build/out", "var/cache/apt/archives",
        "var/cache/apt/archives/x.deb", "var/lib/apt/lists/deb_main_Packages", "var/lib/apt/lists/partial",
    ];

    private static readonly Lazy<Task<ImageExport>> Export = new(() => ImageFactory.Shared.ExportAsync(Recipe, new ImageExportOptions { Format = ImageFormat.OciLayout }));

    /// <summary>The busybox base alone: buildah's layer cache gives it the same layers the recipe starts with.</summary>
    private static readonly Lazy<Task<ImageExport>> Base = new(() => ImageFactory.Shared.ExportAsync(ImageRecipe.OnBusybox("rebuild-options-base", ""), new ImageExportOptions { Format = ImageFormat.DockerArchive }));

    private static async Task<RebuildResult> RebuildAsync(string output, bool dropJunk = false, bool linkDuplicates = false, string? baseImage = null, Action<string>? hook = null)
    {
        var export = await Export.Value;
        return await ImageRebuilder.RunAsync(new RebuildRequest(ImageSourceSpec.Parse(RealImages.Source(export)), new ImageOpenOptions(), RebuildDestination.Parse(output))
        {
            DropJunk = dropJunk,
            LinkDuplicates = linkDuplicates,
            Base = baseImage is null ? null : ImageSourceSpec.Parse(baseImage),
            AfterWriteForTesting = hook,
        });
    }

    [Fact]
    public async Task Base_keeps_exactly_the_base_layers_with_their_digests_and_rewrites_the_rest()
    {
        var export = await Export.Value;
        var baseExport = await Base.Value;
        using var dir = new TempDir();
        var original = await AnalyzeHelper.AnalyzeAsync(RealImages.Source(export));

        var byDefault = await RebuildAsync($"oci:{dir.File("default")}:v1");
        var result = await RebuildAsync($"oci:{dir.File("out")}:v1", baseImage: RealImages.Source(baseExport));

        // By default layer 2 (no dead bytes) is kept too; with the base, exactly the base's two layers are.
        Assert.Equal(3, byDefault.KeptLayers.Count);
        Assert.Equal(original.Layers.Take(2).Select(l => l.Digest), result.KeptLayers.Select(k => k.Digest));
        Assert.All(result.KeptReasons.Take(2), r => Assert.Contains("layer of base docker-archive:", r));
        var rebuilt = await AnalyzeHelper.AnalyzeAsync($"oci:{dir.File("out")}:v1");
        Assert.Equal(original.Layers.Take(2).Select(l => l.Digest), rebuilt.Layers.Take(2).Select(l => l.Digest));
        Assert.NotEqual(original.Layers[2].Digest, rebuilt.Layers[2].Digest);
        // What a host holding the base pulls: the rewritten layers (plus config and manifest).
        var rewritten = rebuilt.Layers.Skip(2).Sum(l => l.CompressedSizeBytes);
        Assert.InRange(result.PullBytesWithKeptLayers - rewritten, 1, 8192);
        Assert.Equal(0, result.DeadBytesAfter);

        var before = await RootfsWalk.UnpackAndDescribeAsync(export.Path, export.Tag, dir.File("a"));
        var after = await RootfsWalk.UnpackAndDescribeAsync(dir.File("out"), "v1", dir.File("b"));
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task An_unrelated_base_is_refused_naming_the_first_differing_layer_and_nothing_is_written()
    {
        var unrelated = await ImageFactory.Shared.ExportAsync(
            ImageRecipe.FromDockerfile("rebuild-options-unrelated", "FROM scratch\nCOPY other /other\n").WithFile("other", "not busybox"),
            new ImageExportOptions { Format = ImageFormat.OciLayout });
        using var dir = new TempDir();

        var refused = await Assert.ThrowsAsync<RebuildRefusedException>(() => RebuildAsync($"oci:{dir.File("out")}:v1", baseImage: RealImages.Source(unrelated)));

        Assert.Contains("is not the source's base: layer 0 differs", refused.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public async Task Drop_junk_removes_exactly_the_listed_paths_and_leaves_junk_of_kept_layers()
    {
        var export = await Export.Value;
        using var dir = new TempDir();

        var result = await RebuildAsync($"oci:{dir.File("out")}:v1", dropJunk: true);

        Assert.Equal(Junk, result.ChangedPaths.Select(c => c.Path));
        Assert.All(result.ChangedPaths, c => Assert.StartsWith("junk removed", c.Change));
        // x.deb, mod.pyc, HEAD, objects/ab, tmp/build/out, notes.swp, new.whl, the apt list
        Assert.Equal(8192 + 4 + 4 + 4 + 2 + 5 + 6 + 6, result.JunkBytesDropped);
        Assert.Equal(new JunkInKeptLayer("root/.cache/pip/w.whl", 2, 6), Assert.Single(result.JunkInKeptLayers));
        Assert.Equal(3, result.KeptLayers.Count);

        var before = await RootfsWalk.UnpackAndDescribeAsync(export.Path, export.Tag, dir.File("a"));
        var after = await RootfsWalk.UnpackAndDescribeAsync(dir.File("out"), "v1", dir.File("b"));
        Assert.All(Junk, p => Assert.True(before.ContainsKey(p), p));
        // The places the system expects stay, emptied, with their own mode and owner.
        Assert.Equal(before["tmp"], after["tmp"]);
        Assert.Equal(before["var/lib/apt/lists"], after["var/lib/apt/lists"]);
        Assert.Equal(before["root/.cache/pip/w.whl"], after["root/.cache/pip/w.whl"]);
        Assert.Equal(Lines(before.Where(kv => !Junk.Contains(kv.Key))), Lines(after));
    }

    [Fact]
    public async Task Link_duplicates_turns_equal_files_into_hard_links_and_changes_nothing_else()
    {
        var export = await Export.Value;
        using var dir = new TempDir();

        var result = await RebuildAsync($"oci:{dir.File("out")}:v1", linkDuplicates: true);

        // d3 has the same bytes but another mode: a hard link would change it, so it stays apart.
        Assert.Equal(["app/d1", "app/d2", "app/d4"], result.ChangedPaths.Select(c => c.Path));
        Assert.Equal(2 * 8192, result.DuplicateBytesSaved);
        var before = await RootfsWalk.UnpackAndDescribeAsync(export.Path, export.Tag, dir.File("a"));
        var after = await RootfsWalk.UnpackAndDescribeAsync(dir.File("out"), "v1", dir.File("b"));
        var links = await ProcessRunner.RunAsync("stat", ["-c", "%h %n", .. new[] { "d1", "d2", "d3", "d4" }.Select(f => dir.File("b/rootfs/app/" + f))]);
        Assert.Equal(["3", "3", "1", "3"], links.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]));
        Assert.Equal(before["app/d2"] + " linked to app/d1", after["app/d2"]);
        Assert.Equal(before["app/d4"] + " linked to app/d1", after["app/d4"]);
        Assert.Equal(before["app/d1"], after["app/d1"]);
        Assert.Equal(Lines(before.Where(kv => kv.Key is not ("app/d2" or "app/d4"))), Lines(after.Where(kv => kv.Key is not ("app/d2" or "app/d4"))));
        var plain = await RebuildAsync($"oci:{dir.File("plain")}:v1");
        Assert.True(plain.BytesAfter - result.BytesAfter >= 8192, $"{plain.BytesAfter} -> {result.BytesAfter}");
    }

    [Fact]
    public async Task The_proof_still_fails_when_the_output_is_not_what_the_options_promise()
    {
        using var dir = new TempDir();
        await RebuildAsync($"oci:{dir.File("plain")}:v1");

        // An output that is the faithful rebuild, junk and separate copies included: only the proof can tell.
        var failure = await Assert.ThrowsAsync<EquivalenceFailedException>(() => RebuildAsync($"oci:{dir.File("out")}:v1", dropJunk: true, linkDuplicates: true,
            hook: temp => ReplaceWith(temp, dir.File("plain"))));

        Assert.Contains("/app/.git: only in the rebuilt image", failure.Message);
        Assert.Contains("/app/d2: hard-linked with /app/d1 in the original, with nothing rebuilt", failure.Message);
        Assert.Equal(["plain"], Directory.EnumerateFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    private static void ReplaceWith(string temp, string layout)
    {
        Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        foreach (var file in Directory.EnumerateFiles(layout, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(temp, Path.GetRelativePath(layout, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
    }

    private static string Lines(IEnumerable<KeyValuePair<string, string>> rootfs) => string.Join("\n", rootfs.Select(kv => kv.Key + ": " + kv.Value));
}
