using LayerLens.Analyzer.Blobs;
using System.Text.Json.Nodes;
using LayerLens.Analyzer.Images;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Analyzer.Tests.Images;

public class PlatformSelectionTests
{
    // Each platform's image has one file whose size names the platform.
    private static SyntheticImage ImageFor(string arch, string? variant, int size) =>
        new(new LayerTarBuilder().File("marker", size, seed: size).Build()) { Architecture = arch, Variant = variant };

    private static string WriteMultiPlatform(TempDir temp, bool nested, params (string Arch, string? Variant, int Size)[] platforms)
    {
        var dir = temp.File("multi");
        var blobs = new Dictionary<string, byte[]>();
        var descriptors = new List<JsonObject>();
        foreach (var (arch, variant, size) in platforms)
        {
            var image = ImageFor(arch, variant, size);
            var (b, digest, manifest) = image.Blobs();
            foreach (var (k, v) in b)
            {
                blobs[k] = v;
            }
            descriptors.Add(image.ManifestDescriptor(digest, manifest.Length, null, withPlatform: true));
        }
        // buildx-style attestation manifest: never a candidate.
        descriptors.Add(new JsonObject
        {
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["digest"] = "sha256:" + new string('a', 64),
            ["size"] = 1,
            ["platform"] = new JsonObject { ["os"] = "unknown", ["architecture"] = "unknown" },
        });
        if (!nested)
        {
            SyntheticImage.WriteLayout(dir, blobs, descriptors);
            return dir;
        }
        var index = System.Text.Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(descriptors.Select(d => (JsonNode)d).ToArray()),
        }.ToJsonString());
        var indexDigest = SyntheticImage.Sha256(index);
        blobs[indexDigest] = index;
        SyntheticImage.WriteLayout(dir, blobs, [new JsonObject
        {
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["digest"] = indexDigest,
            ["size"] = index.Length,
            ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = "latest" },
        }]);
        return dir;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Default_is_linux_amd64(bool nested)
    {
        using var temp = new TempDir();
        var dir = WriteMultiPlatform(temp, nested, ("arm64", "v8", 300), ("amd64", null, 100));

        var result = await AnalyzeHelper.AnalyzeAsync("oci:" + dir);

        Assert.Equal("linux/amd64", result.Platform);
        Assert.Equal(100, result.SizeBytes);
    }

    [Theory]
    [InlineData("linux/arm64", 300)]
    [InlineData("linux/arm64/v8", 300)]
    [InlineData("linux/arm/v7", 200)]
    public async Task Platform_option_picks_the_matching_manifest(string platform, long expectedSize)
    {
        using var temp = new TempDir();
        var dir = WriteMultiPlatform(temp, true, ("amd64", null, 100), ("arm", "v7", 200), ("arm64", "v8", 300));

        var result = await AnalyzeHelper.AnalyzeAsync("oci:" + dir, platform: Platform.Parse(platform));

        Assert.Equal(expectedSize, result.SizeBytes);
    }

    [Fact]
    public async Task Ambiguous_choice_lists_the_platforms()
    {
        using var temp = new TempDir();
        var dir = WriteMultiPlatform(temp, false, ("arm", "v7", 200), ("arm64", "v8", 300));

        var ex = await Assert.ThrowsAsync<InvalidImageException>(() => AnalyzeHelper.AnalyzeAsync("oci:" + dir));

        Assert.Contains("--platform", ex.Message);
        Assert.Contains("linux/arm/v7", ex.Message);
        Assert.Contains("linux/arm64/v8", ex.Message);
        Assert.DoesNotContain("unknown", ex.Message);
    }

    [Fact]
    public async Task Missing_platform_lists_what_is_available()
    {
        using var temp = new TempDir();
        var dir = WriteMultiPlatform(temp, false, ("amd64", null, 100));

        var ex = await Assert.ThrowsAsync<InvalidImageException>(() => AnalyzeHelper.AnalyzeAsync("oci:" + dir, platform: Platform.Parse("linux/s390x")));

        Assert.Contains("linux/s390x", ex.Message);
        Assert.Contains("linux/amd64", ex.Message);
    }

    [Fact]
    public async Task Tag_picks_one_of_several_images_in_a_layout()
    {
        using var temp = new TempDir();
        var dir = temp.File("tags");
        var blobs = new Dictionary<string, byte[]>();
        var descriptors = new List<JsonObject>();
        foreach (var (tag, size) in new[] { ("one", 111), ("two", 222) })
        {
            var image = ImageFor("amd64", null, size);
            var (b, digest, manifest) = image.Blobs();
            foreach (var (k, v) in b)
            {
                blobs[k] = v;
            }
            descriptors.Add(image.ManifestDescriptor(digest, manifest.Length, tag, withPlatform: false));
        }
        SyntheticImage.WriteLayout(dir, blobs, descriptors);

        Assert.Equal(222, (await AnalyzeHelper.AnalyzeAsync($"oci:{dir}:two")).SizeBytes);
        var ex = await Assert.ThrowsAsync<InvalidImageException>(() => AnalyzeHelper.AnalyzeAsync("oci:" + dir));
        Assert.Contains("oci:DIR:TAG", ex.Message);
        var missing = await Assert.ThrowsAsync<InvalidImageException>(() => AnalyzeHelper.AnalyzeAsync($"oci:{dir}:three"));
        Assert.Contains("one, two", missing.Message);
    }
}
