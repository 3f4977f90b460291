using System.Formats.Tar;
using System.Text.Json.Nodes;
using LayerLens.Analyzer.Rebuild;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Images;
using LayerLens.TestInfrastructure.Processes;

namespace LayerLens.Analyzer.Tests.Rebuild;

/// <summary>
/// Every destination format with gzip and zstd, read back independently of LayerLens: skopeo copies the output into
/// a gzip OCI layout (Debian's umoci reads no zstd) and umoci unpacks it next to the source. oci: with both
/// compressions and docker-archive: with gzip are covered by <see cref="RealImageRebuildTests"/>; these are the rest.
/// </summary>
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public class DestinationMatrixTests
{
    private static readonly Lazy<Task<ImageExport>> Export = new(() => ImageFactory.Shared.ExportAsync(RebuildRecipe.Recipe(), new ImageExportOptions { Format = ImageFormat.OciLayout }));

    [Theory]
    [InlineData("oci-archive", RebuildCompression.Gzip)]
    [InlineData("oci-archive", RebuildCompression.Zstd)]
    [InlineData("docker-archive", RebuildCompression.Zstd)]
    public async Task Skopeo_reads_the_output_and_umoci_unpacks_the_same_root_filesystem(string kind, RebuildCompression compression)
    {
        var export = await Export.Value;
        using var dir = new TempDir();
        var output = $"{kind}:{dir.File("out.tar")}";

        await RealImageRebuildTests.RebuildAsync(RealImages.Source(export), output, compression);

        // The output really is compressed as asked: the last layer named by the archive's own index (docker-archive:
        // by manifest.json, whose layers carry no media type, so readers such as skopeo and docker load detect zstd from the bytes).
        var lastLayer = kind == "docker-archive"
            ? JsonNode.Parse((await ProcessRunner.RunAsync("tar", ["-xOf", dir.File("out.tar"), "manifest.json"])).StandardOutput)![0]!["Layers"]!.AsArray()[^1]!.GetValue<string>()
            : "blobs/sha256/" + JsonNode.Parse((await ProcessRunner.RunAsync("skopeo", ["inspect", "--raw", output])).StandardOutput)!["layers"]!.AsArray()[^1]!["digest"]!.GetValue<string>()[7..];
        var magic = Convert.ToHexStringLower(FirstBytes(dir.File("out.tar"), lastLayer));
        Assert.Equal(compression == RebuildCompression.Zstd ? "28b52ffd" : "1f8b0800", magic);
        await ProcessRunner.RunAsync("skopeo", ["copy", "--dest-compress-format", "gzip", output, $"oci:{dir.File("copy")}:x"]);
        var before = await RootfsWalk.UnpackAndDescribeAsync(export.Path, export.Tag, dir.File("a"));
        var after = await RootfsWalk.UnpackAndDescribeAsync(dir.File("copy"), "x", dir.File("b"));
        Assert.Contains("linked to app/hl-a", before["app/hl-b"]);
        Assert.Equal(before, after);
    }

    private static byte[] FirstBytes(string archive, string member)
    {
        using var reader = new TarReader(File.OpenRead(archive));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name == member && entry.DataStream is { } data)
            {
                var head = new byte[4];
                data.ReadExactly(head);
                return head;
            }
        }
        throw new InvalidOperationException($"{member} is not in {archive}");
    }
}
