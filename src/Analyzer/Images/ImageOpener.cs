using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Images;

/// <summary>Options that only some sources use.</summary>
public sealed record ImageOpenOptions
{
    public Platform? Platform { get; init; }
    public AnalysisLimits Limits { get; init; } = AnalysisLimits.Default;
    public Registry.RegistryOptions Registry { get; init; } = new();
}

/// <summary>Turns a source argument into a <see cref="ResolvedImage"/>.</summary>
public static class ImageOpener
{
    public static Task<ResolvedImage> OpenAsync(string source, ImageOpenOptions options, CancellationToken cancellationToken = default) =>
        OpenAsync(ImageSourceSpec.Parse(source), options, cancellationToken);

    /// <summary>An already parsed (or built) source, e.g. a stored upload with the image chosen inside it.</summary>
    public static Task<ResolvedImage> OpenAsync(ImageSourceSpec spec, ImageOpenOptions options, CancellationToken cancellationToken = default)
    {
        switch (spec.Kind)
        {
            case ImageSourceKind.OciLayout:
                if (!Directory.Exists(spec.Location))
                {
                    throw new InvalidImageException($"{spec.Location}: no such directory");
                }
                return Task.FromResult(OciLayoutReader.Read(new DirectoryFiles(spec.Location), spec.Tag, options.Platform, options.Limits, spec.Original));
            case ImageSourceKind.Registry:
                return Registry.RegistryImageReader.ReadAsync(spec.Location, options, cancellationToken);
            default:
                return Task.FromResult(OpenArchive(spec, options));
        }
    }

    private static ResolvedImage OpenArchive(ImageSourceSpec spec, ImageOpenOptions options)
    {
        if (!File.Exists(spec.Location))
        {
            throw new InvalidImageException($"{spec.Location}: no such file");
        }
        var files = new TarArchiveFiles(spec.Location);
        try
        {
            // Docker 25+ archives carry both manifest.json and index.json; manifest.json fixes the layer order.
            var dockerShape = files.Exists("manifest.json");
            var asDocker = spec.Kind == ImageSourceKind.DockerArchive && (dockerShape || !spec.Detected)
                || spec.Kind == ImageSourceKind.OciArchive && dockerShape && !files.Exists("index.json");
            if (asDocker)
            {
                if (!dockerShape)
                {
                    throw new InvalidImageException($"{spec.Location}: no manifest.json; not a docker-archive");
                }
                return DockerArchiveReader.Read(files, options.Limits, spec.Original, spec.Tag);
            }
            if (!files.Exists("index.json"))
            {
                throw new InvalidImageException($"{spec.Location}: neither manifest.json nor index.json; not an image archive");
            }
            return OciLayoutReader.Read(files, spec.Tag, options.Platform, options.Limits, spec.Original);
        }
        catch
        {
            files.Dispose();
            throw;
        }
    }
}
