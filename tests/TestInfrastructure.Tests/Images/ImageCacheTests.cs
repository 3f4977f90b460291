using LayerLens.TestInfrastructure.Images;

namespace LayerLens.TestInfrastructure.Tests.Images;

/// <summary>The cache and the lock, each on a private cache directory so the results do not depend on earlier runs.</summary>
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class ImageCacheTests : IDisposable
{
    private static readonly ImageRecipe Tiny = ImageRecipe.FromDockerfile("tiny", "FROM scratch\nCOPY note.txt /note.txt\n")
        .WithFile("note.txt", "first\n");

    private readonly string _cache = Path.Combine(Path.GetTempPath(), "layerlens-cache-test-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_second_export_of_the_same_inputs_comes_from_the_cache_and_changed_inputs_do_not()
    {
        var factory = new ImageFactory(_cache);
        var options = new ImageExportOptions { Format = ImageFormat.OciLayout };

        var first = await factory.ExportAsync(Tiny, options);
        var again = await new ImageFactory(_cache).ExportAsync(Tiny, options);
        var changed = await factory.ExportAsync(Tiny.WithFile("note.txt", "second\n"), options);

        Assert.False(first.FromCache);
        Assert.True(again.FromCache);
        Assert.Equal(first.Path, again.Path);
        Assert.False(changed.FromCache);
        Assert.NotEqual(first.Path, changed.Path);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_cache, "tmp")));
    }

    [Fact]
    public async Task A_build_waits_while_another_process_holds_the_store_lock()
    {
        Directory.CreateDirectory(_cache);
        var lockFile = Path.Combine(_cache, "buildah.lock");
        Task<ImageExport> export;
        using (new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            export = new ImageFactory(_cache).ExportAsync(Tiny, new ImageExportOptions { Format = ImageFormat.OciArchive });
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.False(export.IsCompleted);
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_cache, "exports")));
        }

        var image = await export;
        Assert.True(File.Exists(image.Path));
    }

    [Fact]
    public async Task Concurrent_exports_of_one_image_publish_a_single_complete_entry()
    {
        var options = new ImageExportOptions { Format = ImageFormat.DockerArchive };

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => new ImageFactory(_cache).ExportAsync(Tiny, options))));

        Assert.Single(results.Select(r => r.Path).Distinct());
        Assert.Single(results, r => !r.FromCache);
        Assert.Single(Directory.GetDirectories(Path.Combine(_cache, "exports")));
        using var manifest = ArchiveReader.ReadJsonEntry(results[0].Path, "manifest.json");
        Assert.Single(manifest.RootElement.EnumerateArray());
    }

    [Fact]
    public async Task Generated_context_is_written_once_and_its_files_land_in_the_layer()
    {
        var calls = 0;
        var recipe = ImageRecipe.FromDockerfile("generated", "FROM scratch\nCOPY many /many\n")
            .WithGenerated("many-50-files-v1", async (context, cancellationToken) =>
            {
                Interlocked.Increment(ref calls);
                Directory.CreateDirectory(Path.Combine(context, "many"));
                for (var i = 0; i < 50; i++)
                {
                    await File.WriteAllTextAsync(Path.Combine(context, "many", $"file-{i}.txt"), $"content {i}\n", cancellationToken);
                }
            });
        var options = new ImageExportOptions { Format = ImageFormat.DockerArchive };

        var image = await new ImageFactory(_cache).ExportAsync(recipe, options);
        await new ImageFactory(_cache).ExportAsync(recipe, options);

        Assert.Equal(1, calls);
        using var manifest = ArchiveReader.ReadJsonEntry(image.Path, "manifest.json");
        var layer = Assert.Single(manifest.RootElement[0].GetProperty("Layers").EnumerateArray()).GetString()!;
        Assert.Equal("content 49\n", ArchiveReader.WithEntry(image.Path, layer, s => ArchiveReader.ReadFileFromLayer(s, "plain", "many/file-49.txt")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }
    }
}
