using LayerLens.TestInfrastructure.Images;
using TiCompression = LayerLens.TestInfrastructure.Images.LayerCompression;

namespace LayerLens.Analyzer.Tests.Images;

/// <summary>The waste recipe exported once per format (buildah builds are cached on disk by the factory).</summary>
public static class RealImages
{
    private static readonly Lazy<Task<Dictionary<string, ImageExport>>> Exports = new(BuildAsync);

    public static Task<Dictionary<string, ImageExport>> GetAsync() => Exports.Value;

    private static async Task<Dictionary<string, ImageExport>> BuildAsync()
    {
        var factory = ImageFactory.Shared;
        return new Dictionary<string, ImageExport>
        {
            ["docker-archive"] = await factory.ExportAsync(WasteRecipe.Recipe, new ImageExportOptions { Format = ImageFormat.DockerArchive }),
            ["oci"] = await factory.ExportAsync(WasteRecipe.Recipe, new ImageExportOptions { Format = ImageFormat.OciLayout }),
            ["oci-zstd"] = await factory.ExportAsync(WasteRecipe.Recipe, new ImageExportOptions { Format = ImageFormat.OciLayout, Compression = TiCompression.Zstd }),
            ["oci-archive"] = await factory.ExportAsync(WasteRecipe.Recipe, new ImageExportOptions { Format = ImageFormat.OciArchive }),
        };
    }

    /// <summary>The source argument layerlens takes for an export.</summary>
    public static string Source(ImageExport export) => export.Format switch
    {
        ImageFormat.DockerArchive => "docker-archive:" + export.Path,
        ImageFormat.OciLayout => $"oci:{export.Path}:{export.Tag}",
        _ => "oci-archive:" + export.Path,
    };
}
