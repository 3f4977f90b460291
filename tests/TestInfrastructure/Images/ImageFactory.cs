using System.Globalization;
using System.Security.Cryptography;

namespace LayerLens.TestInfrastructure.Images;

/// <summary>
/// Builds real images with buildah and exports them in the formats the engine reads. Exports are cached
/// on disk by a hash of everything that shapes them, so a warm suite never runs buildah; a cross-process
/// lock keeps concurrent test processes from corrupting the buildah stores, and each export is published
/// by an atomic rename so readers never see a half-written one.
/// </summary>
public sealed class ImageFactory
{
    /// <summary>Bump when the way images are built or exported changes, to invalidate old cache entries.</summary>
    public const int FactoryVersion = 2;

    public const string CacheEnvironmentVariable = "LAYERLENS_TEST_CACHE";

    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(15);

    private readonly Buildah _buildah;

    public ImageFactory(string? cacheDirectory = null)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(CacheEnvironmentVariable);
        CacheDirectory = Path.GetFullPath(cacheDirectory
            ?? (string.IsNullOrEmpty(fromEnvironment) ? "/var/tmp/layerlens-test-cache" : fromEnvironment));
        _buildah = new Buildah(CacheDirectory);
    }

    /// <summary>A factory on the default (or LAYERLENS_TEST_CACHE) cache directory.</summary>
    public static ImageFactory Shared { get; } = new();

    public string CacheDirectory { get; }

    private string ExportsDirectory => Path.Combine(CacheDirectory, "exports");

    private string TempDirectory => Path.Combine(CacheDirectory, "tmp");

    /// <summary>Builds (or finds in the cache) <paramref name="recipe"/> exported as <paramref name="options"/> asks.</summary>
    public async Task<ImageExport> ExportAsync(ImageRecipe recipe, ImageExportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        options ??= new ImageExportOptions();
        options.Validate();

        var key = CacheKey(recipe, options);
        var entry = Path.Combine(ExportsDirectory, key);
        if (Directory.Exists(entry))
        {
            return Describe(recipe, options, entry, key, fromCache: true);
        }

        Directory.CreateDirectory(ExportsDirectory);
        Directory.CreateDirectory(TempDirectory);
        await using (await CacheLock.AcquireAsync(Path.Combine(CacheDirectory, "buildah.lock"), LockTimeout, cancellationToken))
        {
            // Another process may have built it while this one waited for the lock.
            if (Directory.Exists(entry))
            {
                return Describe(recipe, options, entry, key, fromCache: true);
            }

            var work = Path.Combine(TempDirectory, Guid.NewGuid().ToString("N"));
            try
            {
                var staged = Path.Combine(work, "export");
                Directory.CreateDirectory(staged);
                await BuildAndExportAsync(recipe, options, key, work, staged, cancellationToken);
                await File.WriteAllTextAsync(Path.Combine(staged, "recipe.txt"), Describe(recipe, options), cancellationToken);
                Directory.Move(staged, entry);
            }
            finally
            {
                TryDelete(work);
            }
        }

        return Describe(recipe, options, entry, key, fromCache: false);
    }

    private async Task BuildAndExportAsync(ImageRecipe recipe, ImageExportOptions options, string key, string work, string staged, CancellationToken cancellationToken)
    {
        var context = Path.Combine(work, "context");
        Directory.CreateDirectory(context);
        foreach (var contextEntry in recipe.Entries)
        {
            await contextEntry.WriteAsync(context, cancellationToken);
        }

        // The Dockerfile lives outside the context so a context file may itself be called Dockerfile.
        var dockerfile = Path.Combine(work, "Dockerfile");
        await File.WriteAllTextAsync(dockerfile, recipe.Dockerfile, cancellationToken);

        var repository = RepositoryName(recipe, key);
        var image = $"{repository}:{options.Tag}";
        foreach (var platform in options.Platforms)
        {
            List<string> bud = ["bud", "--isolation", "chroot", "--layers", "-f", dockerfile, "-t", image];
            if (!platform.IsHost || platform.Variant is not null)
            {
                // No emulation needed: the RUN steps execute the host's static busybox; only the config says otherwise.
                bud.AddRange(["--platform", platform.ToString()]);
            }

            // chroot isolation shares the host network (buildah refuses --network none with it), so recipes
            // must not download anything in RUN steps: CI has no internet and results must be repeatable.
            bud.Add(context);
            await _buildah.RunAsync(platform, bud, cancellationToken);
        }

        var destination = Destination(options, staged, repository);
        if (options.Platforms.Count == 1)
        {
            await PushSingleAsync(options, image, destination, work, cancellationToken);
            return;
        }

        // Each platform lives in its own store: export each, then assemble the index from those layouts.
        var list = $"localhost/layerlens-test/list-{Guid.NewGuid():N}";
        var indexStore = options.Platforms[0];
        await _buildah.RunAsync(indexStore, ["manifest", "create", list], cancellationToken);
        try
        {
            foreach (var platform in options.Platforms)
            {
                var layout = Path.Combine(work, "platform-" + platform.Slug);
                await _buildah.RunAsync(platform, ["push", .. CompressionArguments(options), image, $"oci:{layout}:{options.Tag}"], cancellationToken);
                List<string> add = ["manifest", "add", "--os", platform.Os, "--arch", platform.Architecture];
                if (platform.Variant is not null)
                {
                    add.AddRange(["--variant", platform.Variant]);
                }

                add.AddRange([list, $"oci:{layout}:{options.Tag}"]);
                await _buildah.RunAsync(indexStore, add, cancellationToken);
            }

            // Copying between OCI layouts keeps the blobs as they are, so the chosen compression survives.
            await _buildah.RunAsync(indexStore, ["manifest", "push", "--all", list, destination], cancellationToken);
        }
        finally
        {
            await _buildah.RunAsync(indexStore, ["manifest", "rm", list], cancellationToken);
        }
    }

    private async Task PushSingleAsync(ImageExportOptions options, string image, string destination, string work, CancellationToken cancellationToken)
    {
        var platform = options.Platforms[0];
        if (options.Format == ImageFormat.DockerArchive || options.EffectiveCompression != LayerCompression.None)
        {
            await _buildah.RunAsync(platform, ["push", .. CompressionArguments(options), image, destination], cancellationToken);
            return;
        }

        // buildah compresses whatever it writes to an OCI destination; the dir: transport keeps layers
        // plain, and skopeo can then write them into an OCI layout as they are.
        var plain = Path.Combine(work, "plain");
        await _buildah.RunAsync(platform, ["push", "--disable-compression", image, $"dir:{plain}"], cancellationToken);
        await Buildah.SkopeoAsync(["--insecure-policy", "copy", "--quiet", "--dest-oci-accept-uncompressed-layers", $"dir:{plain}", destination], cancellationToken);
    }

    private static string[] CompressionArguments(ImageExportOptions options) => options.EffectiveCompression switch
    {
        LayerCompression.None => [],
        LayerCompression.Gzip => ["--compression-format", "gzip"],
        LayerCompression.Zstd => ["--compression-format", "zstd"],
        var other => throw new ArgumentOutOfRangeException(nameof(options), other, "Unknown compression."),
    };

    private static string Destination(ImageExportOptions options, string staged, string repository) => options.Format switch
    {
        ImageFormat.DockerArchive => $"docker-archive:{Path.Combine(staged, ArtifactName(options.Format))}:{repository}:{options.Tag}",
        ImageFormat.OciLayout => $"oci:{Path.Combine(staged, ArtifactName(options.Format))}:{options.Tag}",
        ImageFormat.OciArchive => $"oci-archive:{Path.Combine(staged, ArtifactName(options.Format))}:{options.Tag}",
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Format, "Unknown format."),
    };

    private static string ArtifactName(ImageFormat format) => format switch
    {
        ImageFormat.DockerArchive => "image.docker.tar",
        ImageFormat.OciLayout => "oci",
        ImageFormat.OciArchive => "image.oci.tar",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown format."),
    };

    private static string RepositoryName(ImageRecipe recipe, string key) => $"localhost/layerlens-test/{recipe.Name}-{key[..12]}";

    private static ImageExport Describe(ImageRecipe recipe, ImageExportOptions options, string entry, string key, bool fromCache) =>
        new(
            Path.Combine(entry, ArtifactName(options.Format)),
            options.Format,
            options.EffectiveCompression,
            options.Platforms,
            options.Tag,
            RepositoryName(recipe, key),
            fromCache);

    private static string Describe(ImageRecipe recipe, ImageExportOptions options) =>
        string.Create(CultureInfo.InvariantCulture, $"""
            name: {recipe.Name}
            format: {options.Format}
            compression: {options.EffectiveCompression}
            platforms: {string.Join(", ", options.Platforms)}
            tag: {options.Tag}
            factory-version: {FactoryVersion}
            --- Dockerfile
            {recipe.Dockerfile}
            """);

    private static string CacheKey(ImageRecipe recipe, ImageExportOptions options)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        ContextEntry.AppendText(hash, Describe(recipe, options));
        foreach (var contextEntry in recipe.Entries)
        {
            contextEntry.AppendKey(hash);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Leftovers in tmp/ are harmless; the next run's builds use fresh directories.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above: files written through sudo may not be ours to delete.
        }
    }
}
