using System.Text.Json;
using LayerLens.TestInfrastructure.Images;
using LayerLens.TestInfrastructure.Processes;

namespace LayerLens.TestInfrastructure.Tests.Images;

/// <summary>Each export format, read back with skopeo/umoci and by walking the files by the format's rules.</summary>
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public class ImageExportFormatTests
{
    private static readonly ImageFactory Factory = ImageFactory.Shared;

    [Fact]
    public async Task Docker_archive_holds_every_layer_uncompressed_in_manifest_order()
    {
        var image = await Factory.ExportAsync(TestRecipes.Greeter, new ImageExportOptions { Format = ImageFormat.DockerArchive });

        using var inspect = await SkopeoInspectAsync(image.TransportReference);
        Assert.Equal("amd64", inspect.RootElement.GetProperty("Architecture").GetString());
        Assert.Equal(TestRecipes.LayerCount, inspect.RootElement.GetProperty("Layers").GetArrayLength());

        using var manifest = ArchiveReader.ReadJsonEntry(image.Path, "manifest.json");
        var entry = Assert.Single(manifest.RootElement.EnumerateArray());
        Assert.Contains($"{image.RepositoryName}:latest", entry.GetProperty("RepoTags").EnumerateArray().Select(t => t.GetString()));
        var layers = entry.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()!).ToList();
        Assert.Equal(TestRecipes.LayerCount, layers.Count);
        Assert.Equal(TestRecipes.Greeting, ArchiveReader.WithEntry(image.Path, layers[2], s => ArchiveReader.ReadFileFromLayer(s, "plain", TestRecipes.GreetingPath)));
        Assert.Equal(TestRecipes.BuiltText, ArchiveReader.WithEntry(image.Path, layers[3], s => ArchiveReader.ReadFileFromLayer(s, "plain", TestRecipes.BuiltPath)));
    }

    [Fact]
    public async Task Oci_layout_has_gzip_layers_and_is_readable_by_umoci()
    {
        var image = await Factory.ExportAsync(TestRecipes.Greeter, new ImageExportOptions { Format = ImageFormat.OciLayout });

        var tags = await ProcessRunner.RunAsync("umoci", "ls", "--layout", image.Path);
        Assert.Equal("latest", tags.StandardOutput.Trim());
        using var stat = JsonDocument.Parse((await ProcessRunner.RunAsync("umoci", "stat", "--json", "--image", $"{image.Path}:latest")).StandardOutput);
        var layerSteps = stat.RootElement.GetProperty("history").EnumerateArray()
            .Count(h => !(h.TryGetProperty("empty_layer", out var empty) && empty.GetBoolean()));
        Assert.Equal(TestRecipes.LayerCount, layerSteps);

        var layers = OciLayoutReader.Layers(OciLayoutReader.ReadTop(image.Path));
        Assert.Equal(TestRecipes.LayerCount, layers.Count);
        Assert.All(layers, l => Assert.Equal("application/vnd.oci.image.layer.v1.tar+gzip", l.GetProperty("mediaType").GetString()));
        var greetingBlob = OciLayoutReader.BlobPath(image.Path, layers[2].GetProperty("digest").GetString()!);
        Assert.Equal("gzip", ArchiveReader.Sniff(greetingBlob));
        await using var blob = File.OpenRead(greetingBlob);
        Assert.Equal(TestRecipes.Greeting, ArchiveReader.ReadFileFromLayer(blob, "gzip", TestRecipes.GreetingPath));
    }

    [Fact]
    public async Task Oci_archive_is_an_oci_layout_in_one_tarball()
    {
        var image = await Factory.ExportAsync(TestRecipes.Greeter, new ImageExportOptions { Format = ImageFormat.OciArchive });

        using var inspect = await SkopeoInspectAsync(image.TransportReference);
        Assert.Equal(TestRecipes.LayerCount, inspect.RootElement.GetProperty("Layers").GetArrayLength());
        using var layout = ArchiveReader.ReadJsonEntry(image.Path, "oci-layout");
        Assert.Equal("1.0.0", layout.RootElement.GetProperty("imageLayoutVersion").GetString());
    }

    [Fact]
    public async Task Zstd_export_has_zstd_layers_that_decompress_to_the_built_files()
    {
        var image = await Factory.ExportAsync(TestRecipes.Greeter, new ImageExportOptions { Format = ImageFormat.OciLayout, Compression = LayerCompression.Zstd });

        using var raw = await SkopeoInspectAsync(image.TransportReference, raw: true);
        var layers = raw.RootElement.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(TestRecipes.LayerCount, layers.Count);
        Assert.All(layers, l => Assert.Equal("application/vnd.oci.image.layer.v1.tar+zstd", l.GetProperty("mediaType").GetString()));
        var builtBlob = OciLayoutReader.BlobPath(image.Path, layers[3].GetProperty("digest").GetString()!);
        Assert.Equal("zstd", ArchiveReader.Sniff(builtBlob));
        await using var blob = File.OpenRead(builtBlob);
        Assert.Equal(TestRecipes.BuiltText, ArchiveReader.ReadFileFromLayer(blob, "zstd", TestRecipes.BuiltPath));
    }

    [Fact]
    public async Task Uncompressed_oci_export_keeps_plain_tar_layers()
    {
        var image = await Factory.ExportAsync(TestRecipes.Greeter, new ImageExportOptions { Format = ImageFormat.OciArchive, Compression = LayerCompression.None });

        using var raw = await SkopeoInspectAsync(image.TransportReference, raw: true);
        Assert.All(raw.RootElement.GetProperty("layers").EnumerateArray(),
            l => Assert.Equal("application/vnd.oci.image.layer.v1.tar", l.GetProperty("mediaType").GetString()));
    }

    [Fact]
    public async Task Two_platform_export_is_an_oci_index_with_an_image_per_platform()
    {
        var platforms = new[] { ImagePlatform.LinuxAmd64, ImagePlatform.LinuxArm64 };
        var image = await Factory.ExportAsync(TestRecipes.Greeter, new ImageExportOptions { Format = ImageFormat.OciLayout, Platforms = platforms });

        using var raw = await SkopeoInspectAsync(image.TransportReference, raw: true);
        Assert.Equal(OciLayoutReader.IndexMediaType, raw.RootElement.GetProperty("mediaType").GetString());
        var listed = raw.RootElement.GetProperty("manifests").EnumerateArray()
            .Select(m => m.GetProperty("platform"))
            .Select(p => $"{p.GetProperty("os").GetString()}/{p.GetProperty("architecture").GetString()}" +
                (p.TryGetProperty("variant", out var v) ? "/" + v.GetString() : string.Empty))
            .ToList();
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], listed);

        foreach (var (arch, variant) in new[] { ("amd64", (string?)null), ("arm64", "v8") })
        {
            string[] args = variant is null ? ["--override-arch", arch] : ["--override-arch", arch, "--override-variant", variant];
            using var inspect = await SkopeoInspectAsync(image.TransportReference, false, args);
            Assert.Equal(arch, inspect.RootElement.GetProperty("Architecture").GetString());
            Assert.Equal(TestRecipes.LayerCount, inspect.RootElement.GetProperty("Layers").GetArrayLength());
        }
    }

    [Fact]
    public async Task Two_platform_oci_archive_keeps_zstd_layers_in_every_image()
    {
        var platforms = new[] { ImagePlatform.LinuxAmd64, ImagePlatform.LinuxArm64 };
        var image = await Factory.ExportAsync(TestRecipes.Greeter,
            new ImageExportOptions { Format = ImageFormat.OciArchive, Compression = LayerCompression.Zstd, Platforms = platforms });

        using var raw = await SkopeoInspectAsync(image.TransportReference, raw: true);
        var manifests = raw.RootElement.GetProperty("manifests").EnumerateArray().ToList();
        Assert.Equal(["amd64", "arm64"], manifests.Select(m => m.GetProperty("platform").GetProperty("architecture").GetString()));
        foreach (var descriptor in manifests)
        {
            using var manifest = ReadBlobFromArchive(image.Path, descriptor.GetProperty("digest").GetString()!);
            var layers = manifest.RootElement.GetProperty("layers").EnumerateArray().ToList();
            Assert.Equal(TestRecipes.LayerCount, layers.Count);
            Assert.All(layers, l => Assert.Equal("application/vnd.oci.image.layer.v1.tar+zstd", l.GetProperty("mediaType").GetString()));
            var greeting = ArchiveReader.WithEntry(image.Path, BlobEntry(layers[2].GetProperty("digest").GetString()!),
                s => ArchiveReader.ReadFileFromLayer(s, "zstd", TestRecipes.GreetingPath));
            Assert.Equal(TestRecipes.Greeting, greeting);
        }
    }

    [Fact]
    public async Task Docker_archive_refuses_options_it_cannot_represent()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Factory.ExportAsync(TestRecipes.Greeter,
            new ImageExportOptions { Format = ImageFormat.DockerArchive, Compression = LayerCompression.Zstd }));
        await Assert.ThrowsAsync<ArgumentException>(() => Factory.ExportAsync(TestRecipes.Greeter,
            new ImageExportOptions { Format = ImageFormat.DockerArchive, Platforms = [ImagePlatform.LinuxAmd64, ImagePlatform.LinuxArm64] }));
    }

    private static string BlobEntry(string digest) => "blobs/" + digest.Replace(':', '/');

    private static JsonDocument ReadBlobFromArchive(string tarball, string digest) =>
        ArchiveReader.WithEntry(tarball, BlobEntry(digest), s => JsonDocument.Parse(s));

    /// <summary>skopeo inspect; <paramref name="globalOptions"/> go before the verb (e.g. --override-arch).</summary>
    private static async Task<JsonDocument> SkopeoInspectAsync(string reference, bool raw = false, params string[] globalOptions)
    {
        var result = await ProcessRunner.RunAsync("skopeo", ["--insecure-policy", .. globalOptions, "inspect", .. (raw ? new[] { "--raw" } : []), reference]);
        return JsonDocument.Parse(result.StandardOutput);
    }
}
